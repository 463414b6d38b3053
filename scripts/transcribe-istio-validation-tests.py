#!/usr/bin/env python3
"""
Transcribes the cases of Istio's validation tests (pkg/config/validation/validation_test.go,
virtualservice_test.go, agent/validation_test.go) into data: __tests__/fixtures/istio-validation/cases.json,
which __tests__/webhook-parity.test.ts runs through validate. Run by hand when moving to a new Istio:

  python3 scripts/transcribe-istio-validation-tests.py <istio git dir> <tag> [out.json]

It reads the Go test tables as composite literals (no Go toolchain needed): struct fields become
proto JSON names, oneof wrappers merge into their parent, durations become "1.5s", enums their
value name; each case becomes the object the webhook would see (a fragment test places its input
in a minimal object, see W below). Cases it cannot read are listed under notTranscribed.
"""
import json, re, subprocess, sys

GIT_DIR = sys.argv[1]
TAG = sys.argv[2]
OUT = sys.argv[3] if len(sys.argv) > 3 else '__tests__/fixtures/istio-validation/cases.json'

# ---- Go composite literals -------------------------------------------------------------------
TOK = re.compile(r'''(?P<ws>\s+)|(?P<lc>//[^\n]*)|(?P<bc>/\*.*?\*/)|(?P<raw>`[^`]*`)|(?P<str>"(?:[^"\\\n]|\\.)*")|(?P<chr>'(?:[^'\\]|\\.)')|(?P<num>\d+(?:\.\d+)?(?:e[-+]?\d+)?)|(?P<id>[A-Za-z_]\w*)|(?P<op>\.\.\.|:=|&&|\|\||==|!=|<<|[{}\[\]().,:;&*+\-/%<>!=|^])''', re.S)

class Unsupported(Exception): pass

def tokenize(s):
    out=[]; i=0
    while i < len(s):
        m = TOK.match(s, i)
        if not m: raise Unsupported('tok at %r' % s[i:i+20])
        i = m.end(); k = m.lastgroup
        if k in ('ws','lc','bc'): continue
        out.append((k, m.group(k)))
    return out

def unq(tok):
    k,v = tok
    if k=='raw': return v[1:-1]
    import json
    return json.loads(v) if '\\x' not in v else bytes(v[1:-1],'utf8').decode('unicode_escape')

DUR = {'time.Nanosecond':1,'time.Microsecond':1000,'time.Millisecond':10**6,'time.Second':10**9,'time.Minute':60*10**9,'time.Hour':3600*10**9}
WRAP = re.compile(r'(wrappers|wrapperspb|types|wrapper)\.(U?Int(32|64)|Bool|String|Double|Float)(Value)?$')

def lower(n): return (n[0].lower()+n[1:]).rstrip('_')

def dur_str(ns):
    if ns % 10**9 == 0: return '%ds' % (ns//10**9)
    return ('%.9f' % (ns/1e9)).rstrip('0') + 's'

class P:
    def __init__(self, toks, env=None): self.t=toks; self.i=0; self.env=env or {}
    def peek(self,o=0): return self.t[self.i+o] if self.i+o < len(self.t) else (None,None)
    def next(self): x=self.t[self.i]; self.i+=1; return x
    def expect(self,v):
        x=self.next()
        if x[1]!=v: raise Unsupported('expected %s got %s' % (v,x))
    def qname(self):
        parts=[self.next()[1]]
        while self.peek()[1]=='.' and self.peek(1)[0]=='id': self.next(); parts.append(self.next()[1])
        return '.'.join(parts)
    def typ(self):
        # returns a type string; consumes []T, map[K]V, *T, pkg.T, struct{...}
        k,v=self.peek()
        if v=='[': self.next(); self.expect(']'); return '[]'+self.typ()
        if v=='*': self.next(); return '*'+self.typ()
        if v=='map': self.next(); self.expect('['); kt=self.typ(); self.expect(']'); return 'map['+kt+']'+self.typ()
        if k=='id': return self.qname()
        raise Unsupported('type %s'%v)
    def expr(self):
        a=self.unary()
        while self.peek()[1] in ('*','+','-','/'):
            op=self.next()[1]; b=self.unary()
            a=self.binop(op,a,b)
        return a
    def binop(self,op,a,b):
        if isinstance(a,str) and isinstance(b,str) and op=='+': return a+b
        if isinstance(a,(int,float)) and isinstance(b,(int,float)) and not isinstance(a,bool):
            return {'*':a*b,'+':a+b,'-':a-b,'/':a//b if isinstance(a,int) and isinstance(b,int) else a/b}[op]
        raise Unsupported('binop %r %s %r'%(a,op,b))
    def unary(self):
        k,v=self.peek()
        if v=='&': self.next(); return self.unary()
        if v=='-': self.next(); x=self.unary(); return -x
        if k in ('str','raw'): self.next(); return unq((k,v))
        if k=='num': self.next(); return float(v) if ('.' in v or 'e' in v) else int(v)
        if v=='(': self.next(); x=self.expr(); self.expect(')'); return x
        if v=='[' or v=='map' or v=='*': t=self.typ(); return self.composite(t)
        if v=='{': return self.composite(None)
        if k=='id':
            name=self.qname()
            if name in ('true','false'): return name=='true'
            if name=='nil': return None
            if name in DUR: return DUR[name]
            nk=self.peek()[1]
            if nk=='{': return self.composite(name)
            if nk=='(': return self.call(name)
            if name in self.env: return self.env[name]
            if '.' in name:
                tail=name.split('.',1)[1]
                if '_' in tail:
                    segs=tail.split('_'); val=[]
                    for s in reversed(segs):
                        if re.fullmatch(r'[A-Z0-9]+',s): val.insert(0,s)
                        else: break
                    if val: return '_'.join(val)
                if name=='math.MaxUint32': return 4294967295
                if name=='math.MaxInt32': return 2147483647
            raise Unsupported('ident %s'%name)
        raise Unsupported('unary %s'%v)
    def args(self):
        self.expect('('); out=[]
        while self.peek()[1]!=')':
            out.append(self.expr())
            if self.peek()[1]==',': self.next()
        self.expect(')'); return out
    def call(self,name):
        a=self.args()
        if name in ('durationpb.New','types.DurationProto','durationpb.Duration'): return {'$dur':a[0]}
        if name in ('time.Duration',): return a[0]
        if name in ('ptr.Of','wrappers.Bool','wrapperspb.Bool','wrapperspb.UInt32','wrapperspb.String','wrapperspb.Int64','wrapperspb.Double','wrapperspb.UInt64','wrapperspb.Int32','wrappers.UInt32','int32','uint32','int64','uint64','float64','string'): return a[0]
        if name in ('errors.New','fmt.Errorf'): return {'$error': a[0]}
        if name=='strings.Repeat': return a[0]*a[1]
        if name=='fmt.Sprintf' and all(isinstance(x,(str,int)) for x in a):
            return a[0].replace('%s','{}').replace('%d','{}').replace('%v','{}').format(*a[1:])
        if re.match(r'\w+\.\w+$',name) and len(a)==1 and isinstance(a[0],int): return a[0]  # enum cast
        raise Unsupported('call %s'%name)
    def composite(self,t):
        self.expect('{')
        items=[]; keyed=False
        while self.peek()[1]!='}':
            # keyed element?
            if self.peek()[0] in ('id','str','num') and self.peek(1)[1]==':':
                kk=self.next(); self.next(); key=kk[1] if kk[0]!='str' else unq(kk); keyed=True
                if kk[0]=='num': key=kk[1]
                items.append((key,self.elem(t,key)))
            else:
                items.append((None,self.elem(t,None)))
            if self.peek()[1]==',': self.next()
        self.expect('}')
        return self.build(t,items)
    def elem(self,t,key):
        if self.peek()[1]=='{':
            inner=None
            if t and t.startswith('[]'): inner=t[2:]
            elif t and t.startswith('map['): inner=t[t.index(']')+1:]
            return self.composite(inner)
        return self.expr()
    def build(self,t,items):
        base=(t or '').lstrip('*')
        if base.startswith('[]'): return [v for _,v in items]
        if base.startswith('map['): return {str(k):v for k,v in items}
        if t is None and items and items[0][0] is None: return [v for _,v in items]
        d={k:v for k,v in items}
        if base=='durationpb.Duration' or base=='types.Duration' or base.endswith('Duration') and set(d)<= {'Seconds','Nanos'}:
            return {'$dur': d.get('Seconds',0)*10**9 + d.get('Nanos',0)}
        if WRAP.search(base): return d.get('Value', {'String':'','Bool':False}.get(WRAP.search(base).group(2), 0))
        return {'$type':base,'$fields':d}

def to_json(v):
    """Turn parsed Go values into proto-JSON: lowerCamel keys, oneof wrappers merged, durations as strings."""
    if isinstance(v,list): return [{} if x is None else to_json(x) for x in v]
    if isinstance(v,dict) and '$dur' in v: return dur_str(v['$dur'])
    if isinstance(v,dict) and '$error' in v: return v
    if isinstance(v,dict) and '$type' in v:
        out={}
        for k,x in v['$fields'].items():
            if isinstance(x,dict) and '$type' in x and is_oneof(x):
                for k2,x2 in x['$fields'].items(): out[lower(k2)]=to_json(x2)
            else:
                out[lower(k)]=to_json(x)
        return out
    if isinstance(v,dict): return {k:to_json(x) for k,x in v.items()}
    return v

def is_oneof(x):
    n=x['$type'].split('.')[-1]
    # Go names a oneof wrapper Parent_Field (Field_ when the name would clash, e.g. HTTPBody_String_{String_: ...}).
    field=n[:-1].split('_')[-1]+'_' if n.endswith('_') else n.split('_')[-1]
    return '_' in n and list(x['$fields'].keys())==[field]

# ---- the test tables -------------------------------------------------------------------------
def func_body(src, name):
    m=re.search(r'^func %s\(t \*testing.T\) \{\n(.*?)^\}' % name, src, re.S|re.M)
    return m.group(1)
def table(body):
    m=re.search(r'(\w+) :?= \[\]struct \{(.*?)\n\t\}\{', body, re.S)
    names=[l.split()[0] for l in m.group(2).strip().split('\n') if l.strip()]
    toks=tokenize(body[m.end()-1:])
    return toks, names
def cases(src, name, env=None):
    toks,names=table(func_body(src,name))
    p=P(toks, env); p.expect('{'); out=[]; bad=[]
    while p.peek()[1]!='}':
        start=p.i
        # one element: { ... } ; parse lazily, skip on failure
        depth=0; j=p.i
        while True:
            v=toks[j][1]
            if v=='{': depth+=1
            elif v=='}':
                depth-=1
                if depth==0: break
            j+=1
        sub=P(toks[p.i:j+1], env)
        try:
            sub.expect('{'); fields={}; pos=0
            while sub.peek()[1]!='}':
                if sub.peek()[0]=='id' and sub.peek(1)[1]==':':
                    k=sub.next()[1]; sub.expect(':')
                else:
                    k=names[pos]; pos+=1
                if sub.peek()[1]=='{': fields[k]=sub.composite(None)
                else: fields[k]=sub.expr()
                if sub.peek()[1]==',': sub.next()
            out.append(fields)
        except Exception as e:
            # name of the case if we can find it
            nm=None
            for q in range(p.i, j):
                if toks[q][1]=='name' and toks[q+1][1]==':': nm=unq(toks[q+2]); break
            bad.append((nm, str(e)))
        p.i=j+1
        if p.peek()[1]==',': p.next()
    return out, bad

# ---- the cases as objects ----------------------------------------------------------------------
def upstream(path):
    return subprocess.run(['git', '--git-dir', GIT_DIR, 'show', f'{TAG}:pkg/config/validation/{path}'], check=True, capture_output=True, text=True).stdout
SRC={f: upstream(f) for f in ('validation_test.go','virtualservice_test.go','agent/validation_test.go')}
FILE_OF={'TestValidateChainingVirtualService':'virtualservice_test.go','TestValidateRootHTTPRoute':'virtualservice_test.go','TestValidateDelegateHTTPRoute':'virtualservice_test.go','TestValidateTLS':'agent/validation_test.go','TestValidateLocalityLbSetting':'agent/validation_test.go'}
env={'duration':{'$dur':3600*10**9},'allowedTargetRefs':'[/v1/Service networking.istio.io/v1/ServiceEntry gateway.networking.k8s.io/v1/Gateway gateway.networking.k8s.io/v1/GatewayClass]','kb':1024,'mb':1048576,'constants.DefaultAuthenticationPolicyName':'default','someName':'foo','someNamespace':'bar','gvk.KubernetesGateway.Group':'gateway.networking.k8s.io','gvk.KubernetesGateway.Kind':'Gateway','gvk.Service.Group':'','gvk.Service.Kind':'Service','gvk.ServiceEntry.Group':'networking.istio.io','gvk.ServiceEntry.Kind':'ServiceEntry','gvk.GatewayClass.Group':'gateway.networking.k8s.io','gvk.GatewayClass.Kind':'GatewayClass'}
NET='networking.istio.io/v1'; SEC='security.istio.io/v1'; TEL='telemetry.istio.io/v1'
ROUTE=[{'destination':{'host':'foo.baz'}}]
def opt(d):
    # A nil fragment is an absent field: the Go test passes nil where the object has none.
    return {k:v for k,v in d.items() if v is not None}
def vs_http(r): return {'hosts':['foo.bar'],'http':[opt(r)]}
W = {  # test -> (apiVersion, kind, field holding the input, how the input becomes a spec, verdict)
 'TestValidateGateway': (NET,'Gateway','in',None,'out'),
 'TestValidateServer': (NET,'Gateway','in',lambda x:{'servers':[x]} if x is not None else {},'out'),
 'TestValidateVirtualService': (NET,'VirtualService','in',None,'valid'),
 'TestValidateDestinationRule': (NET,'DestinationRule','in',None,'valid'),
 'TestValidateServiceEntries': (NET,'ServiceEntry','in',None,'valid'),
 'TestValidateWorkloadEntry': (NET,'WorkloadEntry','in',None,'valid'),
 'TestValidateWorkloadGroup': (NET,'WorkloadGroup','in',None,'valid'),
 'TestValidateSidecar': (NET,'Sidecar','in',None,'valid'),
 'TestValidateAuthorizationPolicy': (SEC,'AuthorizationPolicy','in',None,'valid'),
 'TestValidateRequestAuthentication': (SEC,'RequestAuthentication','in',None,'valid'),
 'TestValidatePeerAuthentication': (SEC,'PeerAuthentication','in',None,'valid'),
 'TestValidateTelemetry': (TEL,'Telemetry','in',None,'err'),
 'TestValidateHTTPRoute': (NET,'VirtualService','route',vs_http,'valid'),
 'TestValidateTrafficPolicy': (NET,'DestinationRule','in',lambda x:opt({'host':'reviews','trafficPolicy':x}),'valid'),
 'TestValidateConnectionPool': (NET,'DestinationRule','in',lambda x:opt({'host':'reviews','trafficPolicy':None if x is None else {'connectionPool':x}}),'valid'),
 'TestValidateLoadBalancer': (NET,'DestinationRule','in',lambda x:opt({'host':'reviews','trafficPolicy':None if x is None else {'loadBalancer':x}}),'valid'),
 'TestValidateOutlierDetection': (NET,'DestinationRule','in',lambda x:opt({'host':'reviews','trafficPolicy':None if x is None else {'outlierDetection':x}}),'valid'),
 'TestValidateCORSPolicy': (NET,'VirtualService','in',lambda x:vs_http({'corsPolicy':x,'route':ROUTE}),'valid'),
 'TestValidateHTTPRetry': (NET,'VirtualService','in',lambda x:vs_http({'retries':x,'route':ROUTE}),'valid'),
 'TestValidateHTTPFaultInjectionAbort': (NET,'VirtualService','in',lambda x:vs_http({'fault':None if x is None else {'abort':x},'route':ROUTE}),'valid'),
 'TestValidateHTTPFaultInjectionDelay': (NET,'VirtualService','in',lambda x:vs_http({'fault':None if x is None else {'delay':x},'route':ROUTE}),'valid'),
 'TestValidateHTTPRewrite': (NET,'VirtualService','in',lambda x:vs_http({'rewrite':x,'route':ROUTE}),'valid'),
 'TestValidateHTTPRedirect': (NET,'VirtualService','redirect',lambda x:vs_http({'redirect':x} if x is not None else {'route':ROUTE}),'valid'),

 'TestValidateTlsOptions': (NET,'Gateway','in',lambda x:{'servers':[{'port':{'number':443,'name':'https','protocol':'HTTPS'},'hosts':['foo.bar.com'],'tls':x}]} if x is not None else {'servers':[{'port':{'number':80,'name':'http','protocol':'HTTP'},'hosts':['foo.bar.com']}]},'out'),
 'TestValidateServerPort': (NET,'Gateway','in',lambda x:x,'out'),
 'TestValidateDestination': (NET,'VirtualService','destination',lambda x:vs_http({'route':[{'destination':x if x is not None else {'host':'foo.baz'}}]}),'valid'),
 'TestValidateRouteDestination': (NET,'VirtualService','routes',lambda x:{'hosts':['foo.bar'],'tcp':[{'route':x}]},'valid'),
 'TestValidateHTTPDirectResponse': (NET,'VirtualService','directResponse',lambda x:vs_http({'directResponse':x} if x is not None else {'route':ROUTE}),'valid'),
 'TestValidateUriRegexRewrite': (NET,'VirtualService','in',lambda x:vs_http({'rewrite':{'uriRegexRewrite':x} if x is not None else None,'route':ROUTE}),'valid'),
 'TestValidateHTTPHeaderValue': (NET,'VirtualService','input',lambda x:vs_http({'route':[{'destination':{'host':'foo.baz'},'headers':{'request':{'set':{'x-value':x}}}}]}),'expected'),
 'TestValidateChainingVirtualService': (NET,'VirtualService','in',None,'valid'),
 'TestValidateRootHTTPRoute': (NET,'VirtualService','route',vs_http,'valid'),
 'TestValidateDelegateHTTPRoute': (NET,'VirtualService','route',lambda r:{'http':[opt(r)]},'valid'),
 'TestValidateTLS': (NET,'DestinationRule','tls',lambda x:opt({'host':'reviews','trafficPolicy':None if x is None else {'tls':x}}),'valid'),
 'TestValidateLocalityLbSetting': (NET,'DestinationRule','in',lambda x:x,'err'),
 'Test_validateExportTo': (NET,'VirtualService','namespace',lambda x:x,'wantErr'),
}
FRAG={'TestValidateTlsOptions':'spec.servers[0].tls','TestValidateServerPort':'spec.servers[0].port','TestValidateDestination':'spec.http[0].route[0].destination','TestValidateRouteDestination':'spec.tcp[0].route','TestValidateHTTPDirectResponse':'spec.http[0].directResponse','TestValidateUriRegexRewrite':'spec.http[0].rewrite.uriRegexRewrite','TestValidateHTTPHeaderValue':'spec.http[0].route[0].headers.request.set','TestValidateRootHTTPRoute':'spec.http[0]','TestValidateDelegateHTTPRoute':'spec.http[0]','TestValidateTLS':'spec.trafficPolicy.tls','TestValidateLocalityLbSetting':'spec.trafficPolicy.loadBalancer.localityLbSetting','Test_validateExportTo':'spec.exportTo','TestValidateServer':'spec.servers[0]','TestValidateHTTPRoute':'spec.http[0]','TestValidateTrafficPolicy':'spec.trafficPolicy','TestValidateConnectionPool':'spec.trafficPolicy.connectionPool','TestValidateLoadBalancer':'spec.trafficPolicy.loadBalancer','TestValidateOutlierDetection':'spec.trafficPolicy.outlierDetection','TestValidateCORSPolicy':'spec.http[0].corsPolicy','TestValidateHTTPRetry':'spec.http[0].retries','TestValidateHTTPFaultInjectionAbort':'spec.http[0].fault.abort','TestValidateHTTPFaultInjectionDelay':'spec.http[0].fault.delay','TestValidateHTTPRewrite':'spec.http[0].rewrite','TestValidateHTTPRedirect':'spec.http[0].redirect'}
out=[]; skipped=[]
for fn,(api,kind,field,wrap,verdict) in W.items():
    fname=FILE_OF.get(fn,'validation_test.go')
    ok,bad=cases(SRC[fname],fn,env)
    for b in bad: skipped.append({'test':fn,'subtest':b[0],'why':'not transcribed: '+b[1]})
    for i,c in enumerate(ok):
        name=c.get('name') or c.get('input') or '#%d'%i
        if field not in c: skipped.append({'test':fn,'subtest':name,'why':'no input'}); continue
        raw=c[field]
        if isinstance(raw,dict) and raw.get('$type','').split('.')[-1] not in ('VirtualService','DestinationRule','Gateway','ServiceEntry','Sidecar','AuthorizationPolicy','RequestAuthentication','PeerAuthentication','Telemetry','WorkloadEntry','WorkloadGroup','') and wrap is None:
            skipped.append({'test':fn,'subtest':name,'why':'input is a %s, not a %s' % (raw['$type'],kind)}); continue
        spec=to_json(raw)
        if fn=='TestValidateServerPort':
            port=spec
            server={'hosts':['foo.bar.com']}
            if port is not None: server['port']=port
            if c.get('bind'): server['bind']=c['bind']
            if port and str(port.get('protocol','')).lower() in ('https','tls'): server['tls']={'mode':'SIMPLE','credentialName':'cert'}
            spec={'servers':[server]}
        if fn=='TestValidateLocalityLbSetting':
            tp={'loadBalancer':{'localityLbSetting':spec}} if spec is not None else {'loadBalancer':{'simple':'ROUND_ROBIN'}}
            if c.get('outlier') is not None: tp['outlierDetection']=to_json(c['outlier'])
            spec={'host':'reviews','trafficPolicy':tp}
        kind_of_case, api_of_case = kind, api
        if fn=='Test_validateExportTo':
            # The same exportTo rules, on the kind the flags name: a ServiceEntry, a DestinationRule with a selector, or a VirtualService.
            export={'exportTo':c['exportTo']} if c.get('exportTo') is not None else {}
            if c.get('isServiceEntry'):
                kind_of_case, spec = 'ServiceEntry', {'hosts':['foo.example.com'],'ports':[{'number':80,'name':'http','protocol':'HTTP'}],'resolution':'NONE',**export}
            elif c.get('isDestinationRuleWithSelector'):
                kind_of_case, spec = 'DestinationRule', {'host':'reviews','workloadSelector':{'matchLabels':{'app':'reviews'}},**export}
            else:
                spec = vs_http({'route':ROUTE}); spec.update(export)
        if spec is None and wrap is None: spec={}
        if wrap: spec=wrap(spec)
        if verdict=='valid': valid=bool(c.get('valid'))
        elif verdict=='expected': valid=c.get('expected') is None
        elif verdict=='err' and isinstance(c.get('err'),bool): valid=not c['err']
        elif verdict=='wantErr': valid=not c.get('wantErr')
        else: valid=(c.get(verdict) or '')==''
        meta={'name':c.get('configName') or 'foo','namespace':c.get('namespace') or 'bar'}
        if c.get('annotations'): meta['annotations']=c['annotations']
        if c.get('labels'): meta['labels']=c['labels']
        case={'file':'pkg/config/validation/'+fname,'test':fn,'subtest':name,'istio':'valid' if valid else 'invalid'}
        if fn in FRAG: case['fragment']=FRAG[fn]
        if not valid and isinstance(c.get(verdict),str) and c[verdict]: case['istioError']=c[verdict]
        case['manifest']={'apiVersion':api_of_case,'kind':kind_of_case,'metadata':meta,'spec':spec}
        if len(json.dumps(case)) > 20000:
            skipped.append({'test':fn,'subtest':name,'why':'not transcribed: a body over 100 KB would bloat the data'}); continue
        out.append(case)
doc={'source':'istio/istio tag '+TAG+', pkg/config/validation/: in each case `file` and `test` name the Go test function whose table holds it, `subtest` its t.Run name. `manifest` is the case input as the object the webhook would see (proto field names in JSON form); a fragment test (`fragment`) places its input at that path of a minimal object. `istio` is the test\'s verdict (valid includes valid-with-warning). Generated by scripts/transcribe-istio-validation-tests.py.',
     'cases':out,'notTranscribed':skipped}
lines=['{','  "source": '+json.dumps(doc['source'])+',','  "cases": [',
       ',\n'.join('    '+json.dumps(c, separators=(',', ':')) for c in out),'  ],','  "notTranscribed": [',
       ',\n'.join('    '+json.dumps(c) for c in skipped),'  ]','}']
open(OUT,'w').write('\n'.join(lines)+'\n')
print(f'{len(out)} cases ({sum(c["istio"]=="invalid" for c in out)} rejected by Istio), {len(skipped)} not transcribed -> {OUT}')
