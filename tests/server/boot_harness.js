// Runs the boot file (server/assets.py boot_script) in Node against a stand-in page, for
// tests/server/test_boot_file.py: node boot_harness.js BOOT_FILE SCENARIO_JSON
// SCENARIO: {href, local, session, globals (boot_data's), engine_loads}
// Prints what the boot file did: the status attribute, the address, the globals it
// set, the GETs it sent, the scripts it added and brython()'s options.
"use strict";
const fs = require("fs");
const vm = require("vm");

const [bootPath, scenarioText] = process.argv.slice(2);
const scenario = JSON.parse(scenarioText);

function store(items) {
  const map = new Map(Object.entries(items || {}));
  return {
    getItem: (key) => (map.has(key) ? map.get(key) : null),
    key: (i) => Array.from(map.keys())[i] || null,
    get length() { return map.size; },
  };
}

const url = new URL(scenario.href);
const attributes = {};
const fetched = [];
const scripts = [];
const loaded = [];  // DOMContentLoaded listeners
let brythonOptions = null;
const location = {
  get href() { return url.href; },
  get search() { return url.search; },
  get hash() { return url.hash; },
  get pathname() { return url.pathname; },
};
const window = {
  location,
  localStorage: store(scenario.local),
  sessionStorage: store(scenario.session),
  AbortController,
};
const context = {
  window,
  AbortController,
  Promise,
  JSON,
  URL,
  setTimeout,
  decodeURIComponent,
  history: {
    state: null,
    replaceState(_state, _title, next) {
      const target = new URL(next, url.href);
      url.pathname = target.pathname;
      url.search = target.search;
      url.hash = target.hash;
    },
  },
  document: {
    addEventListener(type, listener) { if (type === "DOMContentLoaded") { loaded.push(listener); } },
    documentElement: { setAttribute(name, value) { attributes[name] = value; } },
    body: { onload: null },
    head: {
      appendChild(script) {
        scripts.push(script.src);
        if (scenario.engine_loads === false) { script.onerror(); } else { script.onload(); }
      },
    },
    createElement: () => ({ remove() {} }),
  },
  fetch(target, init) {
    fetched.push({ url: target, method: init.method, cache: init.cache,
                   credentials: init.credentials });
    return Promise.resolve({});
  },
  brython(options) { brythonOptions = options; },
};
vm.createContext(context);
vm.runInContext(fs.readFileSync(bootPath, "utf8"), context, { filename: bootPath });
// What the boot file did before brython.js (the next deferred script) could run.
const before = {
  status: attributes[Object.keys(attributes)[0]] || null,
  scripts: scripts.slice(),
  brython: brythonOptions !== null,
};
loaded.forEach((listener) => listener({}));

// brython() may wait for the engine's Promise: report once it has settled.
setTimeout(() => {
  const globals = scenario.globals;
  const callback = window[globals.callback_url];
  process.stdout.write(JSON.stringify({
    attributes,
    href: url.href,
    callback_url: typeof callback === "string" ? callback : null,
    early_get: window[globals.early_get] ? window[globals.early_get].url : null,
    engine_loader: typeof window[globals.engine] === "function",
    idle: typeof window[globals.idle] === "function",
    engine_at_start: Boolean(window[globals.engine_at_start]),
    fetched,
    scripts,
    brython: brythonOptions,
    before_brython_js: before,
  }));
}, 10);
