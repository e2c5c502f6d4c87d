import { isUuid, nameBasedUuid, userIdOrNull } from '../../platform/identifiers';

describe('identifiers', () => {
  it('gives a name the same version-5-layout UUID every time, and different names different ones', () => {
    const compact = nameBasedUuid('rental.vehicle-class:compact');
    expect(compact).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(nameBasedUuid('rental.vehicle-class:compact')).toBe(compact);
    expect(nameBasedUuid('rental.vehicle-class:van')).not.toBe(compact);
    // SHA-1 of "fleet" is f35f940f055fcd1badde7e5fecb2531e…; bytes 6 and 8 take the version (5) and variant (10) bits.
    expect(nameBasedUuid('fleet')).toBe('f35f940f-055f-5d1b-adde-7e5fecb2531e');
    expect(isUuid(compact)).toBe(true);
  });

  it('records only user ids as actors', () => {
    expect(userIdOrNull('ad3da7a8-8cde-55a2-b7be-d06a05d4aa85')).toBe('ad3da7a8-8cde-55a2-b7be-d06a05d4aa85');
    expect(userIdOrNull('service:reporting')).toBeNull();
    expect(userIdOrNull(null)).toBeNull();
  });
});
