/**
 * Validity checks written from the public specifications, independent of the exporters:
 * STIX 2.1 (OASIS Committee Specification, sections 2–3 common properties, 4–7 objects,
 * 9 patterning) with the TLP 2.0 extension (oasis-open/cti-stix-common-objects), and the
 * MISP core format (draft-dulaunoy-misp-core-format). Each returns a list of problems.
 */

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}';
const STIX_ID = new RegExp(`^([a-z][a-z0-9-]{1,248}[a-z0-9])--(${UUID})$`);
const TIMESTAMP = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?Z$/;
const TIMESTAMP_MS = /\.\d{3,}Z$/;

const SCO_VALUE_TYPES = new Set(['ipv4-addr', 'ipv6-addr', 'domain-name', 'url', 'email-addr']);
const REQUIRED: Readonly<Record<string, readonly string[]>> = {
  identity: ['name'],
  incident: ['name'],
  indicator: ['pattern', 'pattern_type', 'valid_from'],
  'observed-data': ['first_observed', 'last_observed', 'number_observed', 'object_refs'],
  relationship: ['relationship_type', 'source_ref', 'target_ref'],
};
const TLP2_NAMES = ['TLP:CLEAR', 'TLP:GREEN', 'TLP:AMBER', 'TLP:AMBER+STRICT', 'TLP:RED'];

type Obj = Record<string, unknown>;

/** Problems with a STIX 2.1 bundle; empty when it is valid for the checks we know. */
export function stixProblems(bundle: Obj): string[] {
  const p: string[] = [];
  if (bundle.type !== 'bundle') p.push('bundle.type');
  if (!STIX_ID.test(String(bundle.id)) || !String(bundle.id).startsWith('bundle--')) p.push('bundle.id');
  if ('spec_version' in bundle) p.push('bundle has spec_version (removed in 2.1)');
  const objects = bundle.objects as Obj[];
  if (!Array.isArray(objects) || objects.length === 0) return [...p, 'bundle.objects'];
  const byId = new Map<string, Obj>();
  for (const o of objects) {
    if (byId.has(String(o.id))) p.push(`duplicate id ${o.id}`);
    byId.set(String(o.id), o);
  }
  for (const o of objects) p.push(...objectProblems(o, byId).map((x) => `${o.id}: ${x}`));
  return p;
}

function objectProblems(o: Obj, byId: Map<string, Obj>): string[] {
  const p: string[] = [];
  const type = String(o.type);
  const m = STIX_ID.exec(String(o.id));
  if (!m || m[1] !== type) p.push('id is not <type>--<uuid>');
  if (o.spec_version !== '2.1') p.push('spec_version');
  const isSco = SCO_VALUE_TYPES.has(type) || type === 'file';
  const isMarking = type === 'marking-definition';
  for (const key of ['created', 'modified', 'valid_from', 'first_observed', 'last_observed']) {
    if (key in o && !TIMESTAMP.test(String(o[key]))) p.push(`${key} is not an RFC 3339 UTC timestamp`);
  }
  if (!isSco) {
    if (!TIMESTAMP_MS.test(String(o.created))) p.push('created lacks millisecond precision');
    if (!isMarking) {
      if (!TIMESTAMP_MS.test(String(o.modified))) p.push('modified lacks millisecond precision');
      if (String(o.created) > String(o.modified)) p.push('created after modified');
    }
  }
  for (const key of REQUIRED[type] ?? []) if (!(key in o)) p.push(`missing ${key}`);
  if (SCO_VALUE_TYPES.has(type) && typeof o.value !== 'string') p.push('SCO without value');
  if (type === 'file' && !(o.hashes && typeof o.hashes === 'object') && !o.name) p.push('file without hashes or name');
  if (type === 'identity' && o.identity_class !== 'organization') p.push('identity_class');
  if (type === 'indicator') p.push(...patternProblems(String(o.pattern), byId));
  if (type === 'observed-data') {
    const n = o.number_observed;
    if (!Number.isInteger(n) || (n as number) < 1 || (n as number) > 999_999_999) p.push('number_observed');
    if (String(o.first_observed) > String(o.last_observed)) p.push('first_observed after last_observed');
    if (!Array.isArray(o.object_refs) || o.object_refs.length === 0) p.push('object_refs empty');
  }
  if (type === 'relationship' && !/^[a-z0-9-]+$/.test(String(o.relationship_type))) p.push('relationship_type');
  if (isMarking) p.push(...markingProblems(o));
  else if (!Array.isArray(o.object_marking_refs) || o.object_marking_refs.length === 0)
    p.push('no object_marking_refs');
  for (const [key, v] of Object.entries(o)) {
    const refs = key.endsWith('_ref') ? [v] : key.endsWith('_refs') ? (v as unknown[]) : [];
    for (const ref of refs) {
      const target = byId.get(String(ref));
      if (!target) p.push(`${key} → ${ref} is not in the bundle`);
      else if (key === 'object_marking_refs' && target.type !== 'marking-definition') p.push(`${key} → not a marking`);
      else if (key === 'created_by_ref' && target.type !== 'identity') p.push('created_by_ref → not an identity');
    }
  }
  return p;
}

function markingProblems(o: Obj): string[] {
  // a statement marking (STIX 2.1 §7.2.1.3): definition_type "statement", definition.statement a string
  if (o.definition_type === 'statement') {
    const statement = (o.definition as Obj | undefined)?.statement;
    return typeof statement === 'string' && statement.length > 0 ? [] : ['statement marking without a statement'];
  }
  if (!TLP2_NAMES.includes(String(o.name))) return ['not a TLP 2.0 marking name'];
  const ext = (o.extensions as Obj | undefined)?.['extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d'] as
    | Obj
    | undefined;
  const level = String(o.name).slice(4).toLowerCase();
  if (ext?.extension_type !== 'property-extension' || ext?.tlp_2_0 !== level) return ['TLP 2.0 extension'];
  return [];
}

/**
 * The subset of the STIX patterning grammar we emit: one comparison expression
 * `[<type>:<path> = '<literal>']`, where path components are identifiers or quoted
 * strings and the literal escapes only `\` and `'`. The object it names must be an SCO of
 * the bundle with that very value, so that the pattern and the observation agree.
 */
export function patternProblems(pattern: string, byId?: Map<string, Obj>): string[] {
  const ident = "(?:[a-z_][a-z0-9_]*|'(?:[^'\\\\]|\\\\['\\\\])*')";
  const m = new RegExp(
    `^\\[([a-z0-9][a-z0-9-]*[a-z0-9]):(${ident}(?:\\.(?:[A-Za-z_][A-Za-z0-9_-]*|'[^'\\\\]*'))*) = '((?:[^'\\\\]|\\\\['\\\\])*)'\\]$`,
  ).exec(pattern);
  if (!m) return [`pattern does not parse: ${pattern}`];
  const [, objectType, path, literal] = m as unknown as [string, string, string, string];
  const value = literal.replace(/\\(['\\])/g, '$1');
  const allowed = SCO_VALUE_TYPES.has(objectType)
    ? path === 'value'
    : objectType === 'file' && ['hashes.MD5', "hashes.'SHA-1'", "hashes.'SHA-256'"].includes(path);
  if (!allowed) return [`pattern path ${objectType}:${path} is not one we emit`];
  if (!byId) return [];
  const match = [...byId.values()].some((o) =>
    objectType === 'file'
      ? o.type === 'file' && Object.values((o.hashes as Obj) ?? {}).includes(value)
      : o.type === objectType && o.value === value,
  );
  return match ? [] : [`no ${objectType} SCO with value ${value}`];
}

/**
 * Valid MISP category → type pairs for the categories the exporter uses, copied from the
 * MISP core format's list (draft-dulaunoy-misp-core-format, Attribute §type), trimmed to
 * the entries relevant here.
 */
export const MISP_CATEGORY_TYPES: Readonly<Record<string, readonly string[]>> = {
  'Network activity': [
    'ip-src',
    'ip-dst',
    'hostname',
    'domain',
    'email',
    'email-dst',
    'email-src',
    'url',
    'uri',
    'comment',
    'text',
  ],
  'Payload delivery': [
    'md5',
    'sha1',
    'sha256',
    'ip-src',
    'ip-dst',
    'hostname',
    'domain',
    'email',
    'email-src',
    'email-dst',
    'url',
    'comment',
    'text',
  ],
  'Targeting data': [
    'target-user',
    'target-email',
    'target-machine',
    'target-org',
    'target-location',
    'target-external',
    'comment',
  ],
  Other: ['comment', 'text', 'other', 'counter'],
};

/** TLP 2.0 values of MISP's `tlp` taxonomy (legacy white, ex:chr and unclear excluded). */
export const MISP_TLP_VALUES = ['clear', 'green', 'amber', 'amber+strict', 'red'];

/** RSIT v1003 classes and their types, as in MISP's `rsit` taxonomy. */
export const RSIT: Readonly<Record<string, readonly string[]>> = {
  'abusive-content': ['spam', 'harmful-speech', 'violence'],
  'malicious-code': ['infected-system', 'c2-server', 'malware-distribution', 'malware-configuration'],
  'information-gathering': ['scanner', 'sniffing', 'social-engineering'],
  'intrusion-attempts': ['ids-alert', 'brute-force', 'exploit'],
  intrusions: [
    'privileged-account-compromise',
    'unprivileged-account-compromise',
    'application-compromise',
    'system-compromise',
    'burglary',
  ],
  availability: ['dos', 'ddos', 'misconfiguration', 'sabotage', 'outage'],
  'information-content-security': [
    'unauthorised-information-access',
    'unauthorised-information-modification',
    'data-loss',
    'data-leak',
  ],
  fraud: ['unauthorised-use-of-resources', 'copyright', 'masquerade', 'phishing'],
  vulnerable: [
    'weak-crypto',
    'ddos-amplifier',
    'potentially-unwanted-accessible',
    'information-disclosure',
    'vulnerable-system',
  ],
  other: ['other', 'undetermined'],
  test: ['test'],
};

const MISP_UUID = new RegExp(`^${UUID}$`);

/** Problems with a MISP event against the core format's MUST/SHALL fields and taxonomies. */
export function mispProblems(doc: { Event: Obj }): string[] {
  const p: string[] = [];
  const e = doc.Event;
  if (!e || typeof e !== 'object') return ['no Event'];
  if (!MISP_UUID.test(String(e.uuid))) p.push('Event.uuid');
  if (typeof e.info !== 'string' || e.info === '' || [...e.info].length > 256 || /[\r\n]/.test(e.info)) p.push('info');
  if (typeof e.date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(e.date)) p.push('date');
  if (!['1', '2', '3', '4'].includes(e.threat_level_id as string)) p.push('threat_level_id');
  if (!['0', '1', '2'].includes(e.analysis as string)) p.push('analysis');
  if (!['0', '1', '2', '3', '4'].includes(e.distribution as string)) p.push('distribution');
  if (typeof e.published !== 'boolean') p.push('published');
  if (typeof e.timestamp !== 'string' || !/^\d+$/.test(e.timestamp)) p.push('timestamp');
  const attributes = e.Attribute as Obj[];
  if (!Array.isArray(attributes)) p.push('Attribute');
  const uuids = new Set<string>();
  for (const a of attributes ?? []) {
    const where = `Attribute ${a.type} ${a.value}`;
    if (!MISP_UUID.test(String(a.uuid)) || uuids.has(String(a.uuid))) p.push(`${where}: uuid`);
    uuids.add(String(a.uuid));
    if (!(MISP_CATEGORY_TYPES[String(a.category)] ?? []).includes(String(a.type))) p.push(`${where}: category/type`);
    if (typeof a.value !== 'string' || a.value === '') p.push(`${where}: value`);
    if (typeof a.to_ids !== 'boolean') p.push(`${where}: to_ids`);
    if (!['0', '1', '2', '3', '4', '5'].includes(a.distribution as string)) p.push(`${where}: distribution`);
    if (typeof a.timestamp !== 'string' || !/^\d+$/.test(a.timestamp)) p.push(`${where}: timestamp`);
    if (typeof a.deleted !== 'boolean') p.push(`${where}: deleted`);
  }
  const tags = e.Tag as { name: string }[];
  if (!Array.isArray(tags)) return [...p, 'Tag'];
  for (const { name } of tags) {
    const m = /^([a-z0-9-]+):([a-z0-9+-]+)(?:="([^"]+)")?$/.exec(name);
    if (!m) p.push(`tag ${name} is not a machine tag`);
    else if (m[1] === 'tlp' && (m[3] !== undefined || !MISP_TLP_VALUES.includes(m[2] ?? ''))) p.push(`tag ${name}`);
    else if (m[1] === 'rsit' && !(RSIT[m[2] ?? ''] ?? []).includes(m[3] ?? '')) p.push(`tag ${name}`);
  }
  return p;
}
