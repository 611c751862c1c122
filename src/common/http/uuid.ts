const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids of our own resources are UUIDs: anything else cannot name one (and must not reach a ::uuid cast). */
export const isUuid = (value: string): boolean => UUID.test(value);
