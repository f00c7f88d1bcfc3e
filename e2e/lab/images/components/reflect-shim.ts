/**
 * @peculiar/x509 loads tsyringe, which refuses to start without the Reflect metadata API (normally the
 * reflect-metadata package, which is not installed). The certificate code never relies on decorator metadata
 * at run time, so a minimal in-memory store satisfies it. Imported only before the dynamic import of x509.
 */
type MetadataMap = Map<unknown, unknown>;
const store = new WeakMap<object, Map<string | symbol | undefined, MetadataMap>>();

function table(target: object, property: string | symbol | undefined, create: boolean): MetadataMap | undefined {
  let byProperty = store.get(target);
  if (!byProperty && create) store.set(target, (byProperty = new Map()));
  let map = byProperty?.get(property);
  if (!map && create && byProperty) byProperty.set(property, (map = new Map()));
  return map;
}

const reflect = Reflect as unknown as Record<string, unknown>;
if (typeof reflect.getMetadata !== 'function') {
  const getOwn = (key: unknown, target: object, property?: string | symbol) => table(target, property, false)?.get(key);
  Object.assign(reflect, {
    defineMetadata: (key: unknown, value: unknown, target: object, property?: string | symbol) => {
      table(target, property, true)!.set(key, value);
    },
    getOwnMetadata: getOwn,
    hasOwnMetadata: (key: unknown, target: object, property?: string | symbol) => table(target, property, false)?.has(key) ?? false,
    getMetadata: (key: unknown, target: object, property?: string | symbol): unknown => {
      for (let t: object | null = target; t; t = Object.getPrototypeOf(t) as object | null) {
        const v = getOwn(key, t, property);
        if (v !== undefined) return v;
      }
      return undefined;
    },
    hasMetadata: (key: unknown, target: object, property?: string | symbol) => (reflect.getMetadata as (...a: unknown[]) => unknown)(key, target, property) !== undefined,
    metadata: (key: unknown, value: unknown) => (target: object, property?: string | symbol) => {
      table(target, property, true)!.set(key, value);
    },
  });
}
export {};
