import { readFileSync } from 'node:fs';
import path from 'node:path';
import { COMMAND_PERMISSIONS, effectivePermissions, PERMISSIONS, ROLE_PERMISSIONS } from '../../platform/access';

describe('the access declaration', () => {
  const documentation = readFileSync(path.join(__dirname, '../../docs/access.md'), 'utf8');

  it('documents every command with its permission, and every role', () => {
    for (const [command, permission] of Object.entries(COMMAND_PERMISSIONS)) {
      expect(documentation).toMatch(new RegExp(`\\| \`${command.replace('.', '\\.')}\` \\|[^\\n]*\\| \`${permission.replace('.', '\\.')}\` \\|`));
    }
    for (const role of Object.keys(ROLE_PERMISSIONS)) expect(documentation).toContain(`| \`${role}\` |`);
  });

  it('grants only declared permissions', () => {
    const declared = new Set<string>(PERMISSIONS);
    const granted = [...Object.values(COMMAND_PERMISSIONS), ...Object.values(ROLE_PERMISSIONS).flat()];
    expect(granted.filter((permission) => !declared.has(permission))).toEqual([]);
  });

  it("unites a token's own permissions with its roles', and ignores unknown roles", () => {
    expect([...effectivePermissions(['mechanic', 'astronaut'], ['rentals.read'])].sort()).toEqual([
      'maintenance.perform',
      'maintenance.read_own',
      'rentals.read',
      'vehicles.read',
      'vehicles.record_odometer',
    ]);
  });
});
