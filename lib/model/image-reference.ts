/**
 * Container image references as the container runtimes parse them (the distribution reference
 * grammar: `[registry[:port]/]path[:tag][@algorithm:hex]`): the repository path is lower-case
 * components joined by `.`, `_`, `__` or dashes; a tag is at most 128 word characters, `.` or `-`
 * (not starting with either); a registry is a host name (any case) with an optional port.
 */
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const REGISTRY =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]+)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;

/** Why `image` is not a valid image reference (a phrase after the reference), or undefined when it is one. */
export function imageReferenceProblem(image: string): string | undefined {
  if (typeof image !== 'string' || image === '') return 'is empty';
  if (!/^[\x21-\x7e]+$/.test(image)) return 'contains a space, a control character or a non-ASCII character';
  if (image.length > 4096) return 'is longer than 4096 characters';
  const at = image.indexOf('@');
  const digest = at === -1 ? undefined : image.slice(at + 1);
  const named = at === -1 ? image : image.slice(0, at);
  if (digest !== undefined && !DIGEST.test(digest))
    return `has the digest '${digest}', not <algorithm>:<hex> such as sha256:<64 hex digits>`;
  const slash = named.lastIndexOf('/');
  const colon = named.lastIndexOf(':');
  const tag = colon > slash ? named.slice(colon + 1) : undefined;
  const name = tag === undefined ? named : named.slice(0, colon);
  if (tag !== undefined && !TAG.test(tag))
    return `has the tag '${tag}', which is not up to 128 letters, digits, '_', '.' or '-' (not starting with '.' or '-')`;
  const parts = name.split('/');
  // The first part is a registry when it has a '.' or ':' or is localhost (the runtimes' rule).
  const registry = parts.length > 1 && (/[.:]/.test(parts[0]) || parts[0] === 'localhost') ? parts.shift()! : undefined;
  if (registry !== undefined && !REGISTRY.test(registry))
    return `names the registry '${registry}', which is not a host name with an optional port`;
  const bad = parts.find((p) => !PATH_COMPONENT.test(p));
  if (bad !== undefined)
    return `has the repository path part '${bad}': repository paths are lower-case letters and digits, separated by '.', '_', '__' or '-'`;
  return undefined;
}
