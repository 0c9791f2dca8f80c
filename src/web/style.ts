/**
 * The dashboard's one stylesheet, served from the bot itself (closed networks: nothing from a
 * CDN). The font is BIZ UDGothic from the shipped @fontsource/biz-udgothic package (served by
 * the bot: no machine needs a Japanese font installed), system fonts after it. Colours meet WCAG AA contrast.
 */
export const STYLE = `
@font-face { font-family: "csirt BIZ UDGothic"; font-weight: 400; font-display: swap;
  src: url("/dashboard/static/biz-udgothic-400.woff2") format("woff2"); }
@font-face { font-family: "csirt BIZ UDGothic"; font-weight: 700; font-display: swap;
  src: url("/dashboard/static/biz-udgothic-700.woff2") format("woff2"); }
:root { color-scheme: light; --fg: #1a1a1a; --muted: #4a4a4a; --link: #0b4fa8; --bg: #fff; --line: #c8c8c8;
  --head: #f0f3f7; --bad: #9b1c1c; --warn: #7a4b00; --good: #1d5e20; }
* { box-sizing: border-box; }
body { margin: 0; font-family: "csirt BIZ UDGothic", "BIZ UDGothic", "BIZ UDPGothic", "Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic",
  "Meiryo", system-ui, sans-serif; color: var(--fg); background: var(--bg); line-height: 1.6; font-size: 16px; }
a { color: var(--link); }
a:focus-visible, button:focus-visible, input:focus-visible { outline: 3px solid #e39b00; outline-offset: 2px; }
.skip { position: absolute; left: -9999px; top: 0; background: #fff; padding: .5rem 1rem; }
.skip:focus { left: .5rem; z-index: 10; }
header { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; justify-content: space-between;
  padding: .75rem 1.25rem; background: #12325c; color: #fff; }
header a { color: #fff; }
header .brand { font-weight: bold; font-size: 1.1rem; text-decoration: none; }
header nav ul { list-style: none; display: flex; gap: 1rem; margin: 0; padding: 0; }
header form { display: inline; margin: 0; }
header .who { font-size: .9rem; }
main { padding: 1rem 1.25rem 3rem; max-width: 1400px; }
h1 { font-size: 1.5rem; margin: .5rem 0 1rem; }
h2 { font-size: 1.2rem; margin: 1.75rem 0 .5rem; border-bottom: 2px solid #12325c; padding-bottom: .2rem; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: .5rem 0; font-size: .95rem; }
th, td { border: 1px solid var(--line); padding: .3rem .55rem; text-align: left; vertical-align: top; }
thead th { background: var(--head); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.zero { color: var(--muted); }
.bad { color: var(--bad); font-weight: bold; }
.warn { color: var(--warn); font-weight: bold; }
.good { color: var(--good); }
.pre { white-space: pre-wrap; }
.context { color: var(--muted); font-size: .9rem; }
dl.fields { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dl.fields dt { font-weight: bold; }
dl.fields dd { margin: 0; }
button { font: inherit; padding: .45rem 1.1rem; border-radius: 4px; border: 1px solid #12325c; background: #12325c;
  color: #fff; cursor: pointer; }
header button { background: #fff; color: #12325c; padding: .2rem .7rem; }
.notice { border-left: 4px solid #12325c; background: var(--head); padding: .75rem 1rem; }
.heat td.cell { text-align: center; min-width: 3.2rem; }
.h0 { background: #ffffff; } .h1 { background: #fff3c4; } .h2 { background: #ffd591; }
.h3 { background: #f7a26a; } .h4 { background: #c0392b; color: #fff; } .h4 a { color: #fff; }
.legend { font-size: .9rem; color: var(--muted); }
.downloads a { margin-right: 1rem; }
ul.toc { display: flex; flex-wrap: wrap; gap: .4rem 1.25rem; padding: 0; list-style: none; }
caption { text-align: left; font-weight: bold; padding: .25rem 0; }
label { margin-right: .5rem; }
input { font: inherit; padding: .35rem .5rem; border: 1px solid #6b6b6b; border-radius: 4px; margin-right: .5rem; }
`;

/** The font files the stylesheet names, inside @fontsource/biz-udgothic. */
export const FONTS: Record<string, string> = {
  'biz-udgothic-400.woff2': '@fontsource/biz-udgothic/files/biz-udgothic-japanese-400-normal.woff2',
  'biz-udgothic-700.woff2': '@fontsource/biz-udgothic/files/biz-udgothic-japanese-700-normal.woff2',
};
