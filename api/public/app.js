// The page: sign in, upload with live progress, transactions with paging, rules,
// report and download, cancel, past tasks. Plain DOM; every text goes in via textContent.
import { api, auth, download, ApiError } from './api.js';
import { followTask } from './task-stream.js';
import { addRule, readRules } from './rules.js';
import { rowEditor } from './corrections.js';

const $ = (id) => document.getElementById(id);
const NAMES = {
  parse_pdf_async: 'Parse PDF',
  bulk_categorize_async: 'Categorize',
  generate_report_async: 'Report',
  cleanup_old_results: 'Cleanup',
};
const state = { version: null, sessionId: null, offset: 0, follower: null, taskId: null, report: null, sessions: [] };

function toast(message) {
  $('toast').textContent = message;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => ($('toast').textContent = ''), 6000);
}

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

const money = (n) => (n === null || n === undefined ? '' : n.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 }));

function describeError(err) {
  if (err instanceof ApiError && Array.isArray(err.details)) {
    return `${err.message}: ${err.details.map((d) => (d.rule_index !== null && d.rule_index !== undefined ? `rule ${d.rule_index + 1}: ` : '') + d.message).join('; ')}`;
  }
  return err.message;
}

/** Runs when a request says the token is no good: back to the sign-in form. */
function handle(err, where) {
  if (err instanceof ApiError && err.status === 401) {
    auth.token = null;
    showSignIn('Your token is invalid or has expired; sign in again.');
    return;
  }
  if (where) where.textContent = describeError(err);
  else toast(describeError(err));
}

// ---- sign in ----------------------------------------------------------------------

async function showSignIn(message = '') {
  $('workspace').hidden = true;
  $('whoami').hidden = true;
  $('sign-in').hidden = false;
  $('sign-in-error').textContent = message;
  try {
    const doc = await fetch('/openapi.json').then((r) => r.json());
    $('dev-form').hidden = !doc.paths['/dev/token'];
  } catch {
    $('dev-form').hidden = true;
  }
  $('token-input').focus();
}

async function signedIn() {
  $('sign-in').hidden = true;
  $('workspace').hidden = false;
  $('whoami').hidden = false;
  $('whoami-text').textContent = `Signed in as ${auth.user}`;
  await Promise.all([loadSessions(), loadTasks()]);
  $('main').focus();
}

async function useToken(token) {
  auth.token = token;
  try {
    await api('/tasks?limit=1');
    await signedIn();
  } catch (err) {
    auth.token = null;
    showSignIn(err instanceof ApiError && err.status === 401 ? 'That token is not valid or has expired.' : describeError(err));
  }
}

$('token-form').addEventListener('submit', (e) => {
  e.preventDefault();
  useToken($('token-input').value.trim());
});
$('dev-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  try {
    const t = await api('/dev/token', { method: 'POST', body: { user_id: $('dev-user').value.trim() } });
    await useToken(t.access_token);
  } catch (err) {
    $('sign-in-error').textContent = describeError(err);
  }
});
$('sign-out').addEventListener('click', () => {
  state.follower?.close();
  auth.token = null;
  showSignIn();
});

// ---- progress of the current task ---------------------------------------------------

function formatEta(seconds) {
  if (seconds === null || seconds === undefined || seconds < 1) return '';
  if (seconds < 60) return ` · about ${seconds} s left`;
  return ` · about ${Math.round(seconds / 60)} min left`;
}

/** Shows a task's progress live until it ends; resolves with its terminal event. */
function watch(taskId, title) {
  state.follower?.close();
  state.taskId = taskId;
  $('progress-card').hidden = false;
  $('progress-task').textContent = `${title} · task ${taskId}`;
  $('progress-bar').value = 0;
  $('progress-text').textContent = 'Submitted';
  $('progress-text').className = '';
  $('cancel-button').disabled = false;
  const follower = followTask(taskId, (e) => {
    $('progress-bar').value = e.progress_percent;
    $('progress-text').textContent = `${e.status} · ${e.progress_percent}% · ${e.progress_message}${formatEta(e.eta_seconds)}`;
    $('progress-text').className = `status-${e.status}`;
    $('progress-card').dataset.status = e.status;
  });
  state.follower = follower;
  return follower.done
    .then((end) => {
      if (state.taskId === taskId) $('cancel-button').disabled = true;
      if (end.status !== 'SUCCESS' && end.error) $('progress-text').textContent = `${end.status}: ${end.error.message}`;
      loadTasks();
      return end;
    })
    .catch((err) => {
      handle(err);
      return null;
    });
}

$('cancel-button').addEventListener('click', async () => {
  if (!state.taskId) return;
  try {
    const r = await api(`/tasks/${state.taskId}`, { method: 'DELETE' });
    toast(r.message);
  } catch (err) {
    handle(err);
  }
});

// ---- upload -------------------------------------------------------------------------

/** What a locked statement fails with: the upload is sent again with the password the user gives. */
const PASSWORD_CODES = new Set(['PDF_ENCRYPTED', 'PDF_PASSWORD_INCORRECT']);
/** The locked file waiting for its password (kept only until it is sent again). */
let lockedFile = null;

function askForPassword(file, error) {
  lockedFile = file;
  $('password-why').textContent =
    error.code === 'PDF_PASSWORD_INCORRECT'
      ? `That password does not open ${file.name}. Try again.`
      : `${file.name} is password-protected. Enter the password you use to open it.`;
  $('upload-password').value = '';
  $('password-form').hidden = false;
  $('upload-password').focus();
}

function forgetPassword() {
  lockedFile = null;
  $('upload-password').value = '';
  $('password-form').hidden = true;
}

async function uploadStatement(file, password) {
  const form = new FormData();
  form.append('file', file);
  if ($('upload-client').value.trim()) form.append('client_id', $('upload-client').value.trim());
  if (password) form.append('password', password);
  $('upload-button').disabled = true;
  $('password-button').disabled = true;
  try {
    const sub = await api('/upload_pdf_async', { method: 'POST', body: form });
    const end = await watch(sub.task_id, `Parsing ${file.name}`);
    if (end && end.status === 'FAILED' && end.error && PASSWORD_CODES.has(end.error.code)) {
      askForPassword(file, end.error);
      return;
    }
    forgetPassword();
    if (end?.status === 'SUCCESS' && end.result) {
      if (end.result.review_required) showNotProven(end.result);
      else toast(`Parsed ${end.result.transaction_count} transactions (${end.result.bank_source})`);
      await loadSessions(end.result.session_id);
    }
  } catch (err) {
    handle(err);
  } finally {
    $('upload-button').disabled = false;
    $('password-button').disabled = false;
  }
}

$('upload-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const file = $('upload-file').files[0];
  if (!file) return;
  forgetPassword();
  await uploadStatement(file);
});

$('password-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const password = $('upload-password').value;
  if (!lockedFile || !password) return;
  $('upload-password').value = '';
  await uploadStatement(lockedFile, password);
});

// ---- statements that did not prove themselves ---------------------------------------

const REVIEW_WORDS = {
  balance_breaks: ['balance break', 'balance breaks'],
  totals_differ: ['total that differs', 'totals that differ'],
  skipped_rows: ['row not read', 'rows not read'],
  ocr_unproven: ['scanned row unproven', 'scanned rows unproven'],
  pages_unread: ['page without text', 'pages without text'],
  signs_assumed: ['sign assumed', 'signs assumed'],
  nothing_to_check: ['nothing to check the rows against', 'nothing to check the rows against'],
};

/** "14 balance breaks, totals differ by R 1,234.00": what a review summary says, in words. */
function describeReview(review) {
  const parts = Object.entries(review.counts).map(([kind, n]) => {
    const [one, many] = REVIEW_WORDS[kind] ?? [kind, kind];
    return kind === 'nothing_to_check' ? one : `${n} ${n === 1 ? one : many}`;
  });
  if (review.unexplained) parts.push(`totals differ by R ${money(Math.abs(review.unexplained))}`);
  return parts.join(', ');
}

/** A parse that succeeded but did not prove its statement: amber, not green, with the way to the review. */
function showNotProven(result) {
  $('progress-text').textContent = `Parsed ${result.transaction_count} rows — not proven: ${describeReview(result.review)}. Review it before booking it.`;
  $('progress-text').className = 'status-REVIEW';
  $('progress-card').dataset.status = 'REVIEW';
}

/**
 * The selected statement's problems beside its transactions, each row with its editor;
 * hidden for a statement that proved itself as parsed. A corrected one that now proves
 * itself says so in green.
 */
async function loadReview() {
  const session = state.sessions.find((s) => s.session_id === state.sessionId);
  const card = $('review-card');
  const wanted = Boolean(session?.review_required || session?.corrected);
  // Never shown empty, nor holding the statement selected before: hidden until filled.
  if (!wanted || card.dataset.session !== session.session_id) card.hidden = true;
  if (!wanted) return;
  try {
    const review = await api(`/sessions/${session.session_id}/review`);
    state.version = review.version;
    const summary = $('review-summary');
    summary.className = review.proven ? 'status-SUCCESS' : 'status-REVIEW';
    summary.textContent = review.proven
      ? 'Proven (corrected by hand): the balances chain and the opening balance plus the rows give the closing balance.'
      : `Not proven${review.corrected ? ' (corrected by hand)' : ''}: ${describeReview(review)}. Check these rows against the statement and correct them.`;
    const ctx = { sessionId: session.session_id, version: () => state.version, done: corrected, stale: staleReview };
    $('review-list').replaceChildren(
      ...review.problems.map((p) => {
        const li = document.createElement('li');
        const where = document.createElement('strong');
        where.textContent = p.line > 0 ? `Page ${p.page}, line ${p.line}: ` : `Page ${p.page}: `;
        li.append(where, document.createTextNode(p.message));
        if (p.text) {
          const seen = document.createElement('code');
          seen.textContent = p.text;
          li.append(document.createElement('br'), seen);
        }
        if (p.transaction) li.append(rowEditor(p.transaction, ctx));
        return li;
      }),
    );
    card.dataset.session = session.session_id;
    card.hidden = false;
  } catch (err) {
    handle(err);
  }
}

/** After a saved change: the new proof, said aloud, and everything reloaded with the new version. */
async function corrected(answer, what) {
  state.version = answer.version;
  toast(`${what}. ${answer.proven ? 'The statement is now proven (corrected).' : 'The statement is still not proven.'}`);
  await loadSessions();
  $('review-summary').focus();
}

/** 412: someone else (another tab) changed the statement since it was read. */
async function staleReview() {
  toast('Someone else changed this statement meanwhile; it was reloaded. Check the rows and make your change again.');
  await loadSessions();
  $('review-summary').focus();
}

// ---- sessions and transactions ------------------------------------------------------

async function loadSessions(select) {
  try {
    const { sessions } = await api('/sessions?limit=100');
    state.sessions = sessions;
    const sel = $('session-select');
    sel.replaceChildren(
      ...sessions.map((s) => {
        const o = document.createElement('option');
        o.value = s.session_id;
        o.textContent = `${s.file_name ?? 'statement'} · ${s.bank_source ?? 'unknown bank'} · ${s.transaction_count} rows${s.status === 'READY' ? '' : ` (${s.status.toLowerCase()})`}${s.review_required ? ' · not proven' : ''}`;
        return o;
      }),
    );
    if (sessions.length === 0) {
      const o = document.createElement('option');
      o.textContent = 'No statements yet: upload one';
      o.value = '';
      sel.append(o);
    }
    const keep = select ?? state.sessionId;
    sel.value = sessions.some((s) => s.session_id === keep) ? keep : sessions[0]?.session_id ?? '';
    if (sel.value !== state.sessionId || select) {
      state.sessionId = sel.value || null;
      state.offset = 0;
    }
    await Promise.all([loadTransactions(), loadReview()]);
  } catch (err) {
    handle(err);
  }
}

async function loadTransactions() {
  const tbody = $('tx-table').querySelector('tbody');
  const size = Number($('page-size').value);
  if (!state.sessionId) {
    tbody.replaceChildren();
    $('tx-caption').textContent = 'No statement selected';
    $('page-info').textContent = '';
    $('prev-page').disabled = $('next-page').disabled = true;
    return;
  }
  try {
    const page = await api(`/sessions/${state.sessionId}/transactions?limit=${size}&offset=${state.offset}`);
    tbody.replaceChildren(
      ...page.transactions.map((t) => {
        const tr = document.createElement('tr');
        tr.append(cell(t.date), cell(t.description), cell(money(t.amount), 'num'), cell(money(t.balance), 'num'), cell(t.category ?? '—'));
        return tr;
      }),
    );
    const first = page.total === 0 ? 0 : page.offset + 1;
    const last = page.offset + page.transactions.length;
    $('tx-caption').textContent = `${page.bank_source ?? 'Statement'}: rows ${first}–${last} of ${page.total}`;
    $('page-info').textContent = `Page ${Math.floor(page.offset / size) + 1} of ${Math.max(1, Math.ceil(page.total / size))}`;
    $('prev-page').disabled = page.offset === 0;
    $('next-page').disabled = last >= page.total;
  } catch (err) {
    handle(err);
  }
}

$('session-select').addEventListener('change', () => {
  state.sessionId = $('session-select').value || null;
  state.offset = 0;
  state.report = null;
  $('report-ready').hidden = true;
  loadTransactions();
  loadReview();
});
$('page-size').addEventListener('change', () => {
  state.offset = 0;
  loadTransactions();
});
$('prev-page').addEventListener('click', () => {
  state.offset = Math.max(0, state.offset - Number($('page-size').value));
  loadTransactions();
});
$('next-page').addEventListener('click', () => {
  state.offset += Number($('page-size').value);
  loadTransactions();
});
$('refresh-sessions').addEventListener('click', () => loadSessions());

// ---- categorization -----------------------------------------------------------------

$('add-rule').addEventListener('click', () => addRule($('rules-list')).focus());

/** What the rules would change, before running them: per rule, the rows and a few of them, before → after. */
function showPreview(preview) {
  const box = $('preview-result');
  const heading = document.createElement('p');
  heading.textContent = `The rules would change ${preview.total_changes} of ${preview.rows_considered} transactions; ${preview.unmatched} match no rule.`;
  const list = document.createElement('ol');
  for (const r of preview.rules) {
    const li = document.createElement('li');
    li.textContent = `${r.category}: would change ${r.changes} of the ${r.matched} it matches first`;
    if (r.sample.length) {
      const rows = document.createElement('ul');
      for (const t of r.sample) {
        const row = document.createElement('li');
        row.textContent = `${t.date} · ${t.description} · ${money(t.amount)}: ${t.category_before ?? 'no category'} → ${t.category_after}`;
        rows.append(row);
      }
      li.append(rows);
    }
    list.append(li);
  }
  box.replaceChildren(heading, list);
  box.hidden = false;
}

/** The editor's rule set for the selected statement, or null after saying in the form what is wrong. */
function rulesToSend() {
  $('rules-error').textContent = '';
  if (!state.sessionId) {
    $('rules-error').textContent = 'Choose a statement first.';
    return null;
  }
  try {
    return readRules($('rules-list'), $('only-uncategorized').checked);
  } catch (err) {
    $('rules-error').textContent = err.message;
    return null;
  }
}

$('preview-rules').addEventListener('click', async () => {
  const body = rulesToSend();
  if (!body) return;
  $('preview-rules').disabled = true;
  try {
    showPreview(await api(`/sessions/${state.sessionId}/categorize/preview?sample=3`, { method: 'POST', body }));
  } catch (err) {
    handle(err, $('rules-error'));
  } finally {
    $('preview-rules').disabled = false;
  }
});
$('rules-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const body = rulesToSend();
  if (!body) return;
  $('run-rules').disabled = true;
  try {
    $('preview-result').hidden = true;
    const sub = await api(`/bulk_categorize_async?session_id=${state.sessionId}`, { method: 'POST', body });
    const end = await watch(sub.task_id, 'Categorizing');
    if (end?.status === 'SUCCESS' && end.result) {
      toast(`${end.result.categorized_count} categorized, ${end.result.uncategorized_count} without a category`);
      await loadTransactions();
    }
  } catch (err) {
    handle(err, $('rules-error'));
  } finally {
    $('run-rules').disabled = false;
  }
});

// ---- report -------------------------------------------------------------------------

$('report-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  if (!state.sessionId) return toast('Choose a statement first.');
  $('generate-report').disabled = true;
  $('report-ready').hidden = true;
  try {
    const q = new URLSearchParams({ session_id: state.sessionId, report_type: $('report-type').value, include_vat: String($('include-vat').checked) });
    const sub = await api(`/reports/generate_async?${q}`, { method: 'POST' });
    const end = await watch(sub.task_id, 'Generating the report');
    if (end?.status === 'SUCCESS' && end.result) {
      state.report = end.result;
      $('report-name').textContent = `${end.result.filename} (${Math.ceil(end.result.file_size / 1024)} KiB)`;
      $('report-ready').hidden = false;
      $('download-report').focus();
    }
  } catch (err) {
    handle(err);
  } finally {
    $('generate-report').disabled = false;
  }
});

$('download-report').addEventListener('click', async () => {
  if (!state.report) return;
  try {
    const name = await download(`/download_file?file_key=${encodeURIComponent(state.report.file_key)}`);
    toast(`Downloaded ${name}`);
  } catch (err) {
    handle(err);
  }
});

// ---- past tasks ---------------------------------------------------------------------

async function loadTasks() {
  try {
    const { tasks } = await api('/tasks?limit=20');
    $('tasks-table').querySelector('tbody').replaceChildren(
      ...tasks.map((t) => {
        const tr = document.createElement('tr');
        const actions = document.createElement('td');
        if (t.status === 'PENDING' || t.status === 'PROCESSING') {
          const b = document.createElement('button');
          b.type = 'button';
          b.className = 'danger';
          b.textContent = 'Cancel';
          b.setAttribute('aria-label', `Cancel ${NAMES[t.task_name] ?? t.task_name} task from ${new Date(t.created_at).toLocaleTimeString()}`);
          b.addEventListener('click', async () => {
            try {
              toast((await api(`/tasks/${t.task_id}`, { method: 'DELETE' })).message);
              setTimeout(loadTasks, 1000);
            } catch (err) {
              handle(err);
            }
          });
          actions.append(b);
        }
        tr.append(
          cell(NAMES[t.task_name] ?? t.task_name),
          cell(t.status, `status-${t.status}`),
          cell(`${t.progress_percent}%`, 'num'),
          cell(t.error?.message ?? t.progress_message),
          cell(new Date(t.created_at).toLocaleString()),
          actions,
        );
        return tr;
      }),
    );
  } catch (err) {
    handle(err);
  }
}
$('refresh-tasks').addEventListener('click', loadTasks);

// ---- start --------------------------------------------------------------------------

addRule($('rules-list'), { category: 'Salary', field: 'description', op: 'contains', value: 'SALARY' });
if (auth.token) useToken(auth.token);
else showSignIn();
