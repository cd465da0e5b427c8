// A small renderer of /openapi.json: operations grouped by tag, parameters, bodies and
// responses with their schemas, and the component schemas they link to. No CDN, no build.
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

const refName = (ref) => ref.split('/').pop();

/** Text with `code` spans, as the descriptions write them. */
function inline(text, attrs = {}) {
  const node = el('p', attrs);
  String(text).split('`').forEach((part, i) => node.append(i % 2 ? el('code', { text: part }) : part));
  return node;
}
const anchor = (name) => `schema-${name}`;

/** A one-line type: "TaskStatus", "string (uuid)", "array of Transaction", "A | null". */
function typeLabel(s) {
  if (!s) return el('span', { text: 'any' });
  if (s.$ref) return el('a', { href: `#${anchor(refName(s.$ref))}` }, el('code', { text: refName(s.$ref) }));
  const alts = s.anyOf ?? s.oneOf;
  if (alts) {
    const span = el('span');
    alts.forEach((a, i) => span.append(...(i ? [' | '] : []), typeLabel(a)));
    return span;
  }
  if ('const' in s) return el('code', { text: JSON.stringify(s.const) });
  if (s.enum) return el('span', {}, 'one of ', el('code', { text: s.enum.join(', ') }));
  if (s.type === 'array') return el('span', {}, 'array of ', typeLabel(s.items));
  const bits = [s.type ?? 'any'];
  if (s.format) bits.push(`(${s.format})`);
  if (s.minimum !== undefined || s.maximum !== undefined) bits.push(`[${s.minimum ?? ''}…${s.maximum ?? ''}]`);
  if (s.default !== undefined) bits.push(`default ${JSON.stringify(s.default)}`);
  return el('code', { text: bits.join(' ') });
}

/** An object's properties as a list (one level; nested objects are components). */
function schemaBlock(s) {
  if (!s || s.$ref || s.type !== 'object' || !s.properties) return el('p', { class: 'schema' }, typeLabel(s));
  const required = new Set(s.required ?? []);
  return el(
    'ul',
    { class: 'schema' },
    ...Object.entries(s.properties).map(([name, p]) =>
      el('li', {}, el('code', { text: name }), required.has(name) ? ' (required): ' : ': ', typeLabel(p), p.description ? ` — ${p.description}` : ''),
    ),
  );
}

function operation(doc, path, method, op) {
  const id = op.operationId ?? `${method}-${path}`;
  const security = Array.isArray(op.security) && op.security.length === 0 ? 'public' : (op.security ?? doc.security).map((s) => Object.keys(s)[0]).join(' or ');
  const card = el(
    'article',
    { class: 'op', id, 'aria-labelledby': `${id}-title` },
    el('h3', { id: `${id}-title` }, el('span', { class: `method method-${method}`, text: method }), el('code', { class: 'path', text: path }), el('span', { class: 'badge', text: security })),
    el('p', { class: 'desc', text: op.summary ?? '' }),
    op.description ? inline(op.description, { class: 'desc hint' }) : null,
  );
  if (op.parameters?.length) {
    card.append(
      el('h4', { text: 'Parameters' }),
      el('ul', { class: 'schema' }, ...op.parameters.map((p) =>
        el('li', {}, el('code', { text: p.name }), ` (${p.in}${p.required ? ', required' : ''}): `, typeLabel(p.schema), p.description ? ` — ${p.description}` : ''),
      )),
    );
  }
  if (op.requestBody) {
    card.append(el('h4', { text: 'Request body' }));
    for (const [type, media] of Object.entries(op.requestBody.content)) card.append(el('p', { class: 'schema' }, el('code', { text: type }), ' ', typeLabel(media.schema)));
  }
  card.append(el('h4', { text: 'Responses' }));
  const list = el('ul', { class: 'schema' });
  for (const [status, raw] of Object.entries(op.responses)) {
    const r = raw.$ref ? doc.components.responses[refName(raw.$ref)] : raw;
    const item = el('li', {}, el('strong', { text: status }), ` ${r.description}`);
    for (const [type, media] of Object.entries(r.content ?? {})) item.append(' — ', el('code', { text: type }), ' ', typeLabel(media.schema));
    list.append(item);
  }
  card.append(list);
  return card;
}

function render(doc) {
  const root = document.getElementById('docs');
  root.append(inline(doc.info.description), el('p', { class: 'hint', text: `OpenAPI ${doc.openapi} · version ${doc.info.version}` }));
  const byTag = new Map((doc.tags ?? []).map((t) => [t.name, []]));
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const m of METHODS) {
      if (!item[m]) continue;
      const tag = item[m].tags?.[0] ?? 'Other';
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push([path, m, item[m]]);
    }
  }
  const toc = el('ul', { class: 'toc' });
  root.append(el('nav', { 'aria-label': 'Operations' }, el('h2', { text: 'Operations' }), toc));
  for (const [tag, ops] of byTag) {
    if (!ops.length) continue;
    const section = el('section', { 'aria-label': tag }, el('h2', { text: tag }));
    for (const [path, m, op] of ops) {
      const card = operation(doc, path, m, op);
      toc.append(el('li', {}, el('a', { href: `#${card.id}`, text: `${m.toUpperCase()} ${path}` })));
      section.append(card);
    }
    root.append(section);
  }
  const schemas = el('section', { 'aria-labelledby': 'schemas-title' }, el('h2', { id: 'schemas-title', text: 'Schemas' }));
  for (const [name, s] of Object.entries(doc.components.schemas)) {
    schemas.append(el('article', { class: 'op', id: anchor(name) }, el('h3', { text: name }), s.description ? el('p', { class: 'desc hint', text: s.description }) : null, schemaBlock(s)));
  }
  root.append(schemas);
}

fetch('/openapi.json')
  .then((r) => r.json())
  .then((doc) => {
    render(doc);
    document.getElementById('docs-status').textContent = `${Object.keys(doc.paths).length} paths`;
  })
  .catch((err) => {
    document.getElementById('docs-status').textContent = `Could not load /openapi.json: ${err.message}`;
  });
