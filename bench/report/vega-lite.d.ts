// vega-lite publishes its types only through package.json "exports", which this project's
// `moduleResolution: node` does not read; this points the bare name at them.
declare module "vega-lite" {
  export { compile } from "vega-lite/build/index";
}
