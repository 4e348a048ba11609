// Starts the app. index.html carries no inline script, so that its Content-Security-Policy can
// allow scripts from the page's own origin only ('self'): Trunk.toml's `pattern_script` puts
// the names of the files trunk built (with their content hashes) on this module's <script>
// tag, and this module loads them. URLs are resolved against this module's own URL, which
// sits beside index.html, so the app works under any sub-path.
const tag = document.querySelector('script[data-kmslab-js]');
const { default: init } = await import(new URL(tag.dataset.kmslabJs, import.meta.url).href);
await init({ module_or_path: new URL(tag.dataset.kmslabWasm, import.meta.url) });
