// Keeps the Markdown docs from rotting. Two checks:
//
// 1. Examples. A block in docs/*.md or packages/*/README.md between
//      <!-- example: docs/examples/<name>.ts -->
//    and
//      <!-- /example -->
//    holds one ```ts fence whose content is exactly that file, which
//    `pnpm typecheck` compiles and `pnpm demo` runs. Edit the file, then
//    paste it into every block that names it.
// 2. Links. Every relative link in docs/*.md, README.md and
//    packages/*/README.md points to a file or folder that exists, and a
//    `#fragment` into a Markdown file names one of its headings (with
//    GitHub's slugs) or an `<a id>` in it.
//
// Prints every problem as `file:line: message` and exits 1 if there is any.
import { existsSync, readdirSync, readFileSync } from "node:fs";

const root = new URL("../", import.meta.url);
const problems = [];

function markdownFiles() {
  const files = ["README.md"];
  for (const name of readdirSync(new URL("docs/", root)).sort()) if (name.endsWith(".md")) files.push(`docs/${name}`);
  for (const name of readdirSync(new URL("packages/", root)).sort()) {
    if (existsSync(new URL(`packages/${name}/README.md`, root))) files.push(`packages/${name}/README.md`);
  }
  return files;
}

const read = (path) => readFileSync(new URL(path, root), "utf8").replace(/\r\n/g, "\n");
const lineOf = (text, index) => text.slice(0, index).split("\n").length;

// Fenced code blocks (``` or ~~~, up to three spaces in), as [start, end)
// offsets: links inside them are code, not links.
function fences(text) {
  const ranges = [];
  const fence = /^ {0,3}(`{3,}|~{3,})[^\n]*\n/gm;
  for (let open; (open = fence.exec(text)) !== null;) {
    const marker = open[1];
    const close = new RegExp(`^ {0,3}${marker[0] === "`" ? "`" : "~"}{${marker.length},}[ \\t]*$`, "gm");
    close.lastIndex = fence.lastIndex;
    const end = close.exec(text);
    const stop = end === null ? text.length : end.index + end[0].length;
    ranges.push([open.index, stop]);
    fence.lastIndex = stop;
  }
  return ranges;
}

const blank = (s) => s.replace(/[^\n]/g, " ");

// `text` with every fenced block blanked out (same length, newlines kept),
// so offsets and line numbers still match.
function withoutFences(text) {
  let out = text;
  for (const [start, end] of fences(text)) out = out.slice(0, start) + blank(out.slice(start, end)) + out.slice(end);
  return out;
}

// The same, with inline code spans blanked out too.
function prose(text) {
  return withoutFences(text).replace(/(`+)(?!`)[\s\S]*?[^`]\1(?!`)/g, blank);
}

// GitHub's anchor for a heading: the text as rendered, lower-cased, without
// punctuation, spaces turned into hyphens.
function slug(heading) {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/<[^>]+>/g, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replace(/ /g, "-");
}

// Every anchor a Markdown file offers: its headings' slugs, numbered as
// GitHub numbers repeated ones (`lock`, `lock-1`), and its `<a id>`s.
const anchorCache = new Map();
function anchorsOf(path) {
  let anchors = anchorCache.get(path);
  if (anchors !== undefined) return anchors;
  anchors = new Set();
  const text = withoutFences(read(path));
  const counts = new Map();
  for (const [, heading] of text.matchAll(/^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/gm)) {
    const base = slug(heading);
    let name = base;
    for (let n = counts.get(base) ?? 0; anchors.has(name); n++) name = `${base}-${n}`;
    counts.set(base, (counts.get(base) ?? 0) + 1);
    anchors.add(name);
  }
  for (const [, id] of text.matchAll(/<a\s[^>]*?\b(?:id|name)\s*=\s*["']([^"']+)["']/gi)) anchors.add(id);
  anchorCache.set(path, anchors);
  return anchors;
}

function checkExamples(file, text) {
  const marker = /<!--\s*(\/?)example(?::\s*(\S+))?\s*-->/g;
  // Markers shown as code (in a fence or a code span) are not markers.
  const visible = prose(text);
  let open;
  for (let match; (match = marker.exec(visible)) !== null;) {
    const line = lineOf(text, match.index);
    if (match[1] === "") {
      if (open !== undefined)
        problems.push(`${file}:${line}: example block opened inside the one at line ${open.line}`);
      if (match[2] === undefined) problems.push(`${file}:${line}: example marker names no file`);
      open = { line, example: match[2], start: match.index + match[0].length };
      continue;
    }
    if (open === undefined) {
      problems.push(`${file}:${line}: <!-- /example --> closes no block`);
      continue;
    }
    if (open.example !== undefined) checkExample(file, open, text.slice(open.start, match.index));
    open = undefined;
  }
  if (open !== undefined) problems.push(`${file}:${open.line}: example block is never closed with <!-- /example -->`);
}

function checkExample(file, { line, example }, block) {
  if (!/^docs\/examples\/[\w.-]+\.ts$/.test(example)) {
    problems.push(`${file}:${line}: example must name docs/examples/<name>.ts, got ${example}`);
    return;
  }
  if (!existsSync(new URL(example, root))) {
    problems.push(`${file}:${line}: example file ${example} does not exist`);
    return;
  }
  const fence = /^```ts\n([\s\S]*?)^```[ \t]*$/gm;
  const found = [...block.matchAll(fence)];
  const rest = block.replace(fence, "").trim();
  if (found.length !== 1 || rest !== "") {
    problems.push(`${file}:${line}: the block for ${example} must hold exactly one \`\`\`ts fence and nothing else`);
    return;
  }
  const shown = found[0][1];
  const expected = read(example);
  if (shown === expected) return;
  const shownLines = shown.split("\n");
  const expectedLines = expected.split("\n");
  let i = 0;
  while (i < Math.max(shownLines.length, expectedLines.length) && shownLines[i] === expectedLines[i]) i++;
  const show = (s) => (s === undefined ? "(end of text)" : JSON.stringify(s));
  problems.push(
    `${file}:${line}: the block differs from ${example} at line ${i + 1} of the example: ` +
      `the doc has ${show(shownLines[i])}, the file has ${show(expectedLines[i])}`,
  );
}

function checkLinks(file, text) {
  const visible = prose(text);
  const patterns = [
    // [text](target "title") and ![alt](target), one level of nested brackets.
    /!?\[(?:[^[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g,
    // [label]: target
    /^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/gm,
    // <a href="target">, <img src="target">
    /<(?:a|img|source)\b[^>]*?\s(?:href|src)\s*=\s*["']([^"']*)["']/gi,
  ];
  for (const pattern of patterns) {
    for (const match of visible.matchAll(pattern)) {
      const target = match[1];
      const line = lineOf(text, match.index);
      // Absolute URLs (http:, mailto:, …) are not files.
      if (target === "" || /^[a-z][a-z\d+.-]*:/i.test(target) || target.startsWith("//")) continue;
      let path;
      let fragment;
      try {
        path = decodeURIComponent(target.replace(/[?#].*$/, ""));
        const hash = target.indexOf("#");
        fragment = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
      } catch {
        problems.push(`${file}:${line}: malformed link ${target}`);
        continue;
      }
      // GitHub resolves a leading / from the repository root.
      const url =
        path === ""
          ? new URL(file, root)
          : path.startsWith("/")
            ? new URL(`.${path}`, root)
            : new URL(path, new URL(file, root));
      if (!url.href.startsWith(root.href)) {
        problems.push(`${file}:${line}: link ${target} leaves the repository`);
      } else if (!existsSync(url)) {
        problems.push(`${file}:${line}: link to missing file ${target}`);
      } else if (fragment !== undefined && fragment !== "" && url.pathname.endsWith(".md")) {
        const relative = decodeURIComponent(url.href.slice(root.href.length));
        if (!anchorsOf(relative).has(fragment))
          problems.push(`${file}:${line}: no heading or anchor #${fragment} in ${relative}`);
      }
    }
  }
}

const files = markdownFiles();
for (const file of files) {
  const text = read(file);
  checkExamples(file, text);
  checkLinks(file, text);
}

// In file order, then by line.
const position = (problem) => {
  const [, file, line] = /^(.*?):(\d+):/.exec(problem) ?? [];
  return [files.indexOf(file), Number(line)];
};
problems.sort((a, b) => {
  const [fa, la] = position(a);
  const [fb, lb] = position(b);
  return fa - fb || la - lb;
});

if (problems.length > 0) {
  console.error(`check-docs: ${problems.length} problem${problems.length === 1 ? "" : "s"}`);
  for (const problem of problems) console.error(`  ${problem}`);
  process.exitCode = 1;
} else {
  console.log(`check-docs: ${files.length} files, examples and links ok`);
}
