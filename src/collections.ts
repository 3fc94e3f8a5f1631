/** Map helpers the standard library is about to have (TC39's Map.prototype.getOrInsertComputed). */

/** The value at `key`, made with `make` and stored there first if the map has none. */
export function getOrInsertComputed<K, V>(map: Map<K, V>, key: K, make: (key: K) => V): V {
  let value = map.get(key);
  if (value === undefined && !map.has(key)) {
    value = make(key);
    map.set(key, value);
  }
  return value as V;
}
