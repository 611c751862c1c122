import { ValidateIf } from 'class-validator';

/**
 * May be left out, but not sent as null: class-validator's IsOptional lets null through, and a PATCH
 * with `"vendor": null` would then look accepted while changing nothing (or clear a required field).
 */
export const IsOmittable = (): PropertyDecorator => ValidateIf((_object, value) => value !== undefined);
