/** Lints every fixture guide against the fixture reference data and prints the findings (for fixture authors). */
import { lintContextOf, loadDivergentFixtures, loadFixtureCatalog } from '../src/app/fixture-catalog.ts';
import { lintGuide } from '../src/domain/lint/lint-guide.ts';

const catalog = await loadFixtureCatalog();
const context = lintContextOf(catalog);
let count = 0;
for (const { file, content } of [...catalog.guides, ...(await loadDivergentFixtures())]) {
  for (const f of lintGuide(content, context)) {
    count++;
    console.log(`${file} ${f.severity} ${f.rule} ${f.path}: ${f.message.zh}`);
  }
}
console.log(`${catalog.guides.length} published guides, ${count} findings`);
process.exitCode = count > 0 ? 1 : 0;
