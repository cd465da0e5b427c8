/**
 * The small fixed parts of an xlsx package (ECMA-376 part 2, Open Packaging): content
 * types, relationships, the workbook with its sheet list and view, and the document
 * properties. Sheets are `xl/worksheets/sheetN.xml` in tab order.
 */
import { xmlAttr, xmlText } from './xml-text';

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PACKAGE_REL = 'http://schemas.openxmlformats.org/package/2006/relationships';
const SHEET_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml';

export const sheetPartName = (index: number): string => `xl/worksheets/sheet${index + 1}.xml`;

export function contentTypesXml(sheetCount: number): string {
  const overrides = [
    ['/xl/workbook.xml', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml'],
    ['/xl/styles.xml', 'application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml'],
    ['/docProps/core.xml', 'application/vnd.openxmlformats-package.core-properties+xml'],
    ['/docProps/app.xml', 'application/vnd.openxmlformats-officedocument.extended-properties+xml'],
    ...Array.from({ length: sheetCount }, (_, i) => [`/${sheetPartName(i)}`, SHEET_CONTENT_TYPE]),
  ];
  return (
    XML_DECLARATION +
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
    '<Default Extension="xml" ContentType="application/xml"/>' +
    overrides.map(([part, type]) => `<Override PartName="${part}" ContentType="${type}"/>`).join('') +
    '</Types>'
  );
}

export function rootRelsXml(): string {
  return relationships([
    [`${REL}/officeDocument`, 'xl/workbook.xml'],
    [`${PACKAGE_REL}/metadata/core-properties`, 'docProps/core.xml'],
    [`${REL}/extended-properties`, 'docProps/app.xml'],
  ]);
}

/** Relationship i (rId{i+1}) is sheet i; the styles come last. */
export function workbookRelsXml(sheetCount: number): string {
  return relationships([
    ...Array.from({ length: sheetCount }, (_, i): [string, string] => [`${REL}/worksheet`, sheetPartName(i).slice(3)]),
    [`${REL}/styles`, 'styles.xml'],
  ]);
}

/** `activeTab` is the 0-based tab the workbook opens on. */
export function workbookXml(sheetNames: readonly string[], activeTab: number): string {
  const sheets = sheetNames.map((name, i) => `<sheet name="${xmlAttr(name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`);
  return (
    XML_DECLARATION +
    `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="${REL}">` +
    '<workbookPr/>' +
    `<bookViews><workbookView xWindow="0" yWindow="0" windowWidth="24000" windowHeight="16000" firstSheet="0" activeTab="${activeTab}"/></bookViews>` +
    `<sheets>${sheets.join('')}</sheets>` +
    '</workbook>'
  );
}

export function corePropertiesXml(creator: string, title: string | undefined, created: Date): string {
  // W3CDTF without milliseconds, as Excel writes it.
  const when = `${created.toISOString().slice(0, 19)}Z`;
  return (
    XML_DECLARATION +
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"' +
    ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"' +
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    `<dc:creator>${xmlText(creator)}</dc:creator>` +
    (title ? `<dc:title>${xmlText(title)}</dc:title>` : '') +
    `<dcterms:created xsi:type="dcterms:W3CDTF">${when}</dcterms:created>` +
    `<dcterms:modified xsi:type="dcterms:W3CDTF">${when}</dcterms:modified>` +
    '</cp:coreProperties>'
  );
}

export function appPropertiesXml(application: string): string {
  return (
    XML_DECLARATION +
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">' +
    `<Application>${xmlText(application)}</Application>` +
    '</Properties>'
  );
}

function relationships(rels: ReadonlyArray<[type: string, target: string]>): string {
  return (
    XML_DECLARATION +
    `<Relationships xmlns="${PACKAGE_REL}">` +
    rels.map(([type, target], i) => `<Relationship Id="rId${i + 1}" Type="${type}" Target="${target}"/>`).join('') +
    '</Relationships>'
  );
}
