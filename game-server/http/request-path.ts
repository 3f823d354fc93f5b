// The path of an HTTP request target, read without `new URL`: a target such
// as `//`, `//[` or `//a:b` makes `new URL(target, base)` throw (it reads a
// host after the two slashes), and one such request, thrown from a request
// or upgrade handler, would end the process.

/** The target's path (before any `?` or `#`), or null when it is not origin-form (`/…`). */
export function requestPath(target: string | undefined): string | null {
  const url = target ?? '/';
  if (!url.startsWith('/')) return null;
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}
