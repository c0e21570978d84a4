// Opens a profile file with speedscope's own importers and prints what it made of it.
//
//   node speedscope_import.js SPEEDSCOPE_PACKAGE_DIR FILE
//
// speedscope ships only its browser bundle (dist/release/speedscope-*.js), so this
// script loads that bundle in a bare VM context, with the app's start-up call
// (which draws into document.body) cut off, and takes the importer module that the
// app loads lazily (its exports keep their names: importProfileGroupFromText...).
// It prints one JSON object: which importer speedscope chose ("Importing as ..."),
// and per profile its name, its number of calls (frames entered: slices of a
// trace, nodes of a sampled stack), its total weight, and calls per frame name.
"use strict";
const fs = require("fs");
const path = require("path");
const vm = require("vm");

function fail(message) {
  process.stderr.write(`speedscope_import: ${message}\n`);
  process.exit(2);
}

const [pkgDir, file] = process.argv.slice(2);
if (!pkgDir || !file) fail("usage: speedscope_import.js SPEEDSCOPE_PACKAGE_DIR FILE");
const releaseDir = path.join(pkgDir, "dist", "release");
const bundleName = fs.readdirSync(releaseDir).find((n) => /^speedscope-.*\.js$/.test(n));
if (!bundleName) fail(`no speedscope bundle in ${releaseDir}`);
let bundle = fs.readFileSync(path.join(releaseDir, bundleName), "utf8");

// The importer module: `var kf={};$l(kf,{importFromFileSystemDirectoryEntry:...,
// importProfileGroupFromText:()=>Oy,...})`, initialised by `Promise.resolve().then(()=>(Sf(),kf))`.
const exportsMatch = /var ([\w$]+)=\{\};[\w$]+\(\1,\{importFromFileSystemDirectoryEntry:/.exec(bundle);
if (!exportsMatch) fail("cannot find speedscope's importer module in the bundle");
const mod = exportsMatch[1];
const initMatch = new RegExp(`\\(\\)=>\\(([\\w$]+)\\(\\),${mod.replace(/\$/g, "\\$")}\\)\\)`).exec(bundle);
if (!initMatch) fail("cannot find how the bundle initialises its importer module");
const boot = bundle.lastIndexOf("console.log(`speedscope v");
const end = bundle.lastIndexOf("})();");
if (boot < 0 || end < boot) fail("cannot find the app's start-up call in the bundle");
bundle =
  bundle.slice(0, boot) + `globalThis.__speedscopeImport=(${initMatch[1]}(),${mod});` + bundle.slice(end);

// What the bundle touches while it loads, short of drawing.
const chosen = [];
const quiet = {
  log: (...a) => {
    const text = a.join(" ");
    if (text.startsWith("Importing as")) chosen.push(text.slice("Importing as ".length));
  },
  warn: () => {},
  error: (...a) => process.stderr.write(a.join(" ") + "\n"),
  assert: () => {},
  time: () => {},
  timeEnd: () => {},
};
const location = { hash: "", search: "", href: "http://localhost/", protocol: "http:", host: "localhost" };
const element = () => ({ style: {}, appendChild() {}, setAttribute() {}, addEventListener() {} });
const sandbox = {
  console: quiet,
  location,
  navigator: { userAgent: "node", platform: "Linux" },
  document: {
    createElement: element,
    head: element(),
    body: element(),
    addEventListener() {},
    querySelector: () => null,
  },
  addEventListener() {},
  removeEventListener() {},
  matchMedia: () => ({ matches: false, addEventListener() {}, addListener() {} }),
  requestAnimationFrame: (f) => setTimeout(f, 0),
  localStorage: { getItem: () => null, setItem() {} },
  setTimeout,
  clearTimeout,
  TextDecoder,
  TextEncoder,
  URL,
  URLSearchParams,
  Uint8Array,
  ArrayBuffer,
  DataView,
  Promise,
  WebAssembly,
  atob,
  btoa,
  fetch: () => Promise.reject(new Error("no network")),
};
sandbox.window = sandbox;
sandbox.self = sandbox;
sandbox.globalThis = sandbox;
vm.createContext(sandbox);
vm.runInContext(bundle, sandbox, { filename: bundleName });
const importer = sandbox.__speedscopeImport;
if (!importer || typeof importer.importProfileGroupFromText !== "function")
  fail("the importer module has no importProfileGroupFromText");

(async () => {
  const text = fs.readFileSync(file, "utf8");
  const group = await importer.importProfileGroupFromText(path.basename(file), text);
  if (!group) fail(`speedscope could not import ${file}`);
  const profiles = group.profiles.map((p) => {
    let calls = 0;
    const byName = {};
    p.forEachCall(
      (node) => {
        calls += 1;
        // A trace event's frame is named `NAME {ARGS as JSON}`: count by NAME.
        const name = node.frame.name.replace(/ \{[\s\S]*$/, "");
        byName[name] = (byName[name] || 0) + 1;
      },
      () => {}
    );
    return { name: p.getName(), calls, totalWeight: p.getTotalWeight(), unit: p.getWeightUnit(), byName };
  });
  process.stdout.write(JSON.stringify({ importer: chosen, name: group.name, profiles }) + "\n");
})().catch((e) => fail(e && e.stack ? e.stack : String(e)));
