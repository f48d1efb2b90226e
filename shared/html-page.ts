// The reports' HTML pages (drills, load tests): one escape for text put into markup, and one
// self-contained page shell (inline style, no script, nothing fetched).

/** Text made safe for HTML and XML content and attribute values. */
export const escapeMarkup = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A whole page: `title` is escaped here, `body` is markup the caller built (and escaped). */
export function htmlPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeMarkup(title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:60rem;color:#222}
table{border-collapse:collapse;margin:1rem 0}
th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top} th{background:#f4f4f4}
figure{margin:1.5rem 0} figcaption{font-weight:600;margin-bottom:.5rem}
.ok{color:#2ca02c} .deviated{color:#ff7f0e} .crossed{color:#d62728;font-weight:600}
</style></head>
<body>
${body}
</body></html>
`;
}
