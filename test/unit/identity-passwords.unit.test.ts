import { hashPassword, verifyPassword } from '../../platform/passwords';

/** Password hashes: self-describing scrypt strings with a salt of their own, verified in constant time. */
describe('password hashes', () => {
  const password = 'correct horse battery staple';

  it('stores scrypt parameters, salt and hash, and verifies only the right password', async () => {
    const stored = await hashPassword(password);
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    expect(stored).not.toContain(password);
    expect(await verifyPassword(password, stored)).toBe(true);
    expect(await verifyPassword(`${password}!`, stored)).toBe(false);
  }, 30_000);

  it('salts each hash: the same password twice gives two different hashes', async () => {
    const [first, second] = [await hashPassword(password), await hashPassword(password)];
    expect(first).not.toBe(second);
    expect(await verifyPassword(password, second)).toBe(true);
  }, 30_000);

  it.each([
    ['another format', 'bcrypt$2b$10$abc'],
    ['a cost scrypt refuses', 'scrypt$1000$8$1$c2FsdA==$aGFzaGhhc2hoYXNoaGFzaA=='],
    ['a cost beyond the memory limit', 'scrypt$1048576$8$1$c2FsdA==$aGFzaGhhc2hoYXNoaGFzaA=='],
    ['a missing salt', 'scrypt$32768$8$1$$aGFzaGhhc2hoYXNoaGFzaA=='],
  ])('answers false for %s', async (_name, stored) => {
    expect(await verifyPassword(password, stored)).toBe(false);
  });
});
