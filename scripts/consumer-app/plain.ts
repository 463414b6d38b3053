// The standard cdk8s idiom with the library's constructs: `new App()`, charts, `app.synth()`.
// With cdk8s and constructs as peer dependencies there is one copy of each, so this renders.
import { App } from 'cdk8s';
import { ReleaseStage } from 'voting-mesh';

const app = new App();
new ReleaseStage(app, {
  application: {
    name: 'hello', namespace: 'hello', entryComponent: 'hello', gateway: { name: 'hello-gateway', hosts: ['hello.example.com'] },
    components: [{
      name: 'hello',
      versions: {
        '1.0': {
          image: 'registry.example.com/hello:1.0', ports: [{ name: 'http', port: 8080, protocol: 'http' }],
          resources: { cpuMillis: { request: 50, limit: 100 }, memoryMiB: { request: 32, limit: 64 } },
          runAs: { user: 10001, group: 10001 }, readiness: { check: { tcpPort: 8080 } }, liveness: { check: { tcpPort: 8080 } },
        },
      },
    }],
  },
  stage: { name: '01-hello', description: 'Hello 1.0.', deployments: { hello: ['1.0'] }, lanes: [{ name: 'v1', versions: { hello: '1.0' } }], entry: [{ to: 'v1' }] },
});
app.synth();
