/**
 * The README's configuration table stays true: every row of the configuration table
 * (platform/config/table.ts) is listed, with the default the code really uses, and nothing
 * is listed that the table does not have.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { CONFIG_ROWS, loadConfig } from '../../platform/config';

function readmeTable(): Map<string, string> {
  const text = fs.readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
  const section = text.slice(text.indexOf('## Configuration'), text.indexOf('## Running the parts separately'));
  const rows = new Map<string, string>();
  for (const line of section.split('\n')) {
    const m = /^\| `([A-Z0-9_]+)` \| (.+?) \| .+ \|$/.exec(line);
    if (m) rows.set(m[1], m[2]);
  }
  return rows;
}

describe('README configuration table', () => {
  const table = readmeTable();
  const settings = new Map(CONFIG_ROWS.map((r) => [r.setting.env, r.setting]));

  it('lists every setting the code reads, and only those', () => {
    assert.deepEqual([...table.keys()].sort(), [...settings.keys()].sort());
  });

  it('shows the default the code uses outside production', () => {
    for (const [name, shown] of table) {
      if (name === 'JWT_SECRET' || name === 'FILE_SECRET_KEY') continue; // development secrets are deliberately not printed
      const actual = String(settings.get(name)?.development);
      if (actual === '') assert.equal(shown, '*(empty)*', name);
      else assert.equal(shown, `\`${actual}\``, name);
    }
  });

  it('loads with every default', () => {
    assert.doesNotThrow(() => loadConfig({}));
  });
});
