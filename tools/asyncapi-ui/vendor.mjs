// Rebuilds static/asyncapi/ from the pinned @asyncapi/react-component: `npm ci && npm run vendor`.
// The standalone bundle and its licences are copied as published. The stylesheet ships as
// 4.6 MB of Tailwind utilities; only the rules whose classes occur in the bundle are kept.
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { PurgeCSS } from 'purgecss';

const component = new URL('./node_modules/@asyncapi/react-component/', import.meta.url);
const target = new URL('../../static/asyncapi/', import.meta.url);
const bundle = new URL('browser/standalone/index.js', component);

// Tailwind's own extractor: class names such as `md:flex` or `w-1/2` are whole tokens.
const tailwindTokens = (content) => content.match(/[^<>"'`\s]*[^<>"'`\s:]/g) ?? [];

await mkdir(target, { recursive: true });
for (const [from, to] of [
  ['browser/standalone/index.js', 'asyncapi-react.js'],
  ['browser/standalone/index.js.LICENSE.txt', 'asyncapi-react.js.LICENSE.txt'],
  ['LICENSE', 'LICENSE'],
]) {
  await copyFile(new URL(from, component), new URL(to, target));
}

const [purged] = await new PurgeCSS().purge({
  content: [{ raw: await readFile(bundle, 'utf8'), extension: 'js' }],
  css: [new URL('styles/default.css', component).pathname],
  defaultExtractor: tailwindTokens,
  keyframes: true,
  fontFace: true,
});
await writeFile(new URL('asyncapi-react.css', target), purged.css);

const { version } = JSON.parse(await readFile(new URL('package.json', component), 'utf8'));
console.log(`static/asyncapi/ now holds @asyncapi/react-component ${version}`);
