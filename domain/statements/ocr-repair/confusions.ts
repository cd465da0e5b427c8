/**
 * What an OCR'd figure could have been. These functions only propose: a reading is used
 * only when the balance chain proves it (see repair.ts).
 *
 * An amount is "explained" as a value the chain needs when, after the confusions OCR is
 * known for are undone, its digits are exactly that value's digits:
 *   - letters for digits: O/o/Q/D → 0, l/I/i/|/! → 1, S/s/$/§ → 5, Z/z → 2, B → 8, G/b → 6,
 *     g/q → 9, T → 7, A → 4;
 *   - a lost or misread decimal point ("84595", "845:95", "845,95") and stray marks
 *     around the figure ("'529.91Cr", "920.97.") — punctuation carries no digits, so
 *     comparing digit strings sees through both;
 *   - at most one digit read as a look-alike digit (5↔6, 3↔8, 1↔7...), or one digit too
 *     many or too few (a speck read as a digit, a doubled or a lost one).
 * Its sign is kept as printed; a figure whose digits are right but whose sign was lost
 * ("-50.00" read "50.00", "Cr" dropped) gets the other sign notations as further options.
 */
import { parseAmount } from '../grammar/amount';

const LETTER_DIGITS: Record<string, string> = {
  O: '0', o: '0', Q: '0', D: '0',
  l: '1', I: '1', i: '1', '|': '1', '!': '1',
  S: '5', s: '5', $: '5', '§': '5',
  Z: '2', z: '2',
  B: '8',
  G: '6', b: '6',
  g: '9', q: '9',
  T: '7',
  A: '4',
};

/** Digit pairs LSTM OCR confuses on noisy scans. */
const DIGIT_PAIRS = ['06', '08', '09', '14', '17', '27', '35', '38', '39', '56', '58', '68', '89'];
const LOOKALIKE = new Set(DIGIT_PAIRS.flatMap((p) => [p, `${p[1]}${p[0]}`]));

export type AmountFix = 'confusion' | 'digit' | 'sign';

export interface AmountReading {
  /** The figure as it should be written in the cell. */
  text: string;
  fix: AmountFix;
}

interface Parts {
  currency: string;
  lead: string; // "-" or "(" or ""
  core: string;
  trail: string; // "-" or ")" or ""
  marker: string; // "Cr", "Dr", "Kt", "Dt" or ""
}

const MARKER = /(?:cr|dr|kt|dt)\.?$/i;

/** Splits a figure into its sign notation and its (possibly garbled) number. */
function split(text: string): Parts {
  let s = text.trim();
  // Stray marks at either end: quotes, dots, colons, commas, tildes, underscores.
  s = s.replace(/^[\s'"`‘’“”.,:;~_^*£€¥¢°«»=<>]+/, '').replace(/[\s'"`‘’“”.,:;~_^*£€¥¢°«»=<>]+$/, '');
  s = s.replace(/((?:cr|dr|kt|dt)\.?)\s*-$/i, '$1'); // "1,234.56Cr -": the minus contradicts the marker, so it is a speck
  const out: Parts = { currency: '', lead: '', core: '', trail: '', marker: '' };
  const m = MARKER.exec(s);
  if (m && /[\dOolISsZB]\s*$/.test(s.slice(0, m.index))) {
    out.marker = m[0].replace(/\.$/, '');
    s = s.slice(0, m.index).trim();
  }
  if (s.endsWith('-')) {
    out.trail = '-';
    s = s.slice(0, -1).trim();
  } else if (s.endsWith(')') && s.startsWith('(')) {
    out.trail = ')';
    out.lead = '(';
    s = s.slice(1, -1).trim();
  }
  if (!out.lead && s.startsWith('-')) {
    out.lead = '-';
    s = s.slice(1).trim();
  }
  const cur = /^(?:R|ZAR)\s?(?=[\dOolISsZB])/.exec(s);
  if (cur) {
    out.currency = 'R';
    s = s.slice(cur[0].length);
  }
  if (!out.lead && s.startsWith('-')) {
    out.lead = '-';
    s = s.slice(1).trim();
  }
  out.core = s;
  return out;
}

/** The digits OCR saw, with letters read back as the digits they stand for. */
export function digitsOf(core: string): string {
  let d = '';
  for (const ch of core) {
    if (ch >= '0' && ch <= '9') d += ch;
    else if (LETTER_DIGITS[ch]) d += LETTER_DIGITS[ch];
    else if (/[\p{L}]/u.test(ch)) return ''; // any other letter: this is a word, not a figure
  }
  return d.replace(/^0+(?=\d)/, '');
}

/** "1234.56" for 123456 cents: no grouping, which every layout's grammar reads. */
export function plain(cents: number): string {
  const abs = Math.abs(cents);
  return `${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

function compose(p: Parts, number: string): string {
  const marker = p.marker ? p.marker[0].toUpperCase() + p.marker.slice(1).toLowerCase() : '';
  return `${p.lead}${p.currency}${number}${p.trail}${marker}`;
}

/** The same figure with the other sign notations (for a minus or Cr/Dr lost to the scan). */
function otherSigns(p: Parts, number: string): string[] {
  const bare: Parts = { ...p, lead: '', trail: '', marker: '' };
  const out = new Set<string>();
  const signed = p.lead !== '' || p.trail !== '' || p.marker !== '';
  if (signed) out.add(compose(bare, number));
  if (p.marker.toLowerCase() === 'cr' || p.marker.toLowerCase() === 'kt') out.add(compose({ ...bare, marker: p.marker.toLowerCase() === 'kt' ? 'Dt' : 'Dr' }, number));
  if (p.marker.toLowerCase() === 'dr' || p.marker.toLowerCase() === 'dt') out.add(compose({ ...bare, marker: p.marker.toLowerCase() === 'dt' ? 'Kt' : 'Cr' }, number));
  if (!signed) {
    out.add(`-${bare.currency}${number}`);
    out.add(`${bare.currency}${number}-`);
    out.add(`${bare.currency}${number}Cr`);
    out.add(`${bare.currency}${number}Dr`);
  }
  return [...out];
}

/**
 * Readings of `text` whose magnitude is `cents`, best first, or [] if the figure cannot
 * be that value. `text` is a cell (or part of one) as OCR read it.
 */
export function explainAmount(text: string, cents: number): AmountReading[] {
  if (!Number.isSafeInteger(cents) || cents <= 0) return [];
  const p = split(text);
  const digits = digitsOf(p.core);
  const want = String(cents);
  if (digits.length < 3) return []; // an amount has at least "0.00"'s three digits... and a speck has one
  const number = plain(cents);
  const out: AmountReading[] = [];
  const already = parseAmount(text);
  if (digits === want) {
    // Also when it already reads right: the same figure without the marks around it.
    out.push({ text: already && already.cents === cents ? text.trim() : compose(p, number), fix: 'confusion' });
    for (const t of otherSigns(p, number)) out.push({ text: t, fix: 'sign' });
    return out;
  }
  // One digit too many (a speck read as a digit, a doubled digit) or one lost.
  const dropOne = (long: string, short: string) => {
    for (let i = 0; i < long.length; i++) if (long.slice(0, i) + long.slice(i + 1) === short) return true;
    return false;
  };
  if ((digits.length === want.length + 1 && dropOne(digits, want)) || (digits.length + 1 === want.length && dropOne(want, digits))) {
    out.push({ text: compose(p, number), fix: 'digit' });
    for (const t of otherSigns(p, number)) out.push({ text: t, fix: 'sign' });
    return out;
  }
  if (digits.length === want.length) {
    let diff = -1;
    for (let i = 0; i < digits.length; i++) {
      if (digits[i] === want[i]) continue;
      if (diff >= 0) return [];
      diff = i;
    }
    if (diff >= 0 && LOOKALIKE.has(`${digits[diff]}${want[diff]}`)) {
      out.push({ text: compose(p, number), fix: 'digit' });
      for (const t of otherSigns(p, number)) out.push({ text: t, fix: 'sign' });
    }
  }
  return out;
}

/** Whether a word looks like a figure at all (used to pick the words worth explaining). */
export function figureLike(word: string): boolean {
  return digitsOf(split(word).core).length >= 1 && /\d/.test(word);
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec', 'maa', 'mei', 'okt', 'des'];

function nearMonth(word: string): string | null {
  const w = word.toLowerCase();
  if (w.length !== 3 || MONTHS.includes(w)) return null;
  const hits = MONTHS.filter((m) => [...m].filter((c, i) => c !== w[i]).length === 1);
  return hits.length === 1 ? word[0].toUpperCase() === word[0] ? hits[0][0].toUpperCase() + hits[0].slice(1) : hits[0] : null;
}

/**
 * Candidate rewrites of a date cell: stray marks and specks around it removed, letters in
 * its numbers read back as digits, a month name one letter off. The chain cannot prove a
 * date, so the repair loop uses one only when the row's amounts then agree with the chain.
 */
export function dateVariants(text: string): string[] {
  const out = new Set<string>();
  const words = text.split(/\s+/).filter(Boolean);
  const clean = (w: string) => w.replace(/^[\s'"`.,:;~_^*]+/, '').replace(/[\s'"`.,:;~_^*]+$/, '');
  const digitise = (w: string) => (/\d/.test(w) ? [...w].map((c) => (/[A-Za-z|!$§]/.test(c) && LETTER_DIGITS[c] ? LETTER_DIGITS[c] : c)).join('') : w);
  const fixMonth = (w: string) => nearMonth(w) ?? w;
  const forms = (ws: string[]) => {
    const a = ws.map(clean).filter(Boolean);
    out.add(a.join(' '));
    out.add(a.map(digitise).map(fixMonth).join(' '));
  };
  forms(words);
  // A speck read as a letter or digit glued in front of the day ("S17 Dec"), or a word of its own.
  if (words.length > 1) {
    forms(words.slice(1));
    forms(words.slice(0, -1));
  }
  // A slash read as a letter or a bar: "22/01J2024", "22l01/2024".
  const dmy = /^(\d{1,2})[^\d\s](\d{1,2})[^\d\s](\d{2,4})[.,]?$/.exec(clean(text));
  if (dmy) out.add(`${dmy[1]}/${dmy[2]}/${dmy[3]}`);
  // "12 03" (Standard Bank's month and day) with the space lost.
  if (/^\d{4}$/.test(clean(text))) out.add(`${clean(text).slice(0, 2)} ${clean(text).slice(2)}`);
  const first = words[0] ?? '';
  if (/^[^\d]\d{1,2}$/.test(first) || /^\d{3}$/.test(first)) forms([first.slice(1), ...words.slice(1)]);
  out.delete(text);
  out.delete('');
  return [...out];
}
