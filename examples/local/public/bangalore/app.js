// The Bangalore page: a plain ES module (no inline script or handler, so helmet's default CSP
// holds). It talks to the local app's /api endpoints with form fields, as the seed's page did.

const $ = (id) => document.getElementById(id);

const state = { requestId: undefined, stars: undefined, accurate: undefined };

/** Says `text` in a result line, as success or error. */
function say(id, text, kind = 'ok') {
  const el = $(id);
  el.textContent = text;
  el.className = `result ${text === '' ? '' : kind}`;
}

/** The message of a problem document (RFC 9457) or of a failed request. */
async function problemText(res) {
  try {
    const p = await res.json();
    const where = p.field ? ` (field: ${p.field})` : '';
    return `${p.detail ?? p.title ?? `HTTP ${res.status}`}${where}`;
  } catch {
    return `HTTP ${res.status}`;
  }
}

/** POSTs form fields; resolves with the JSON answer, or throws an Error carrying the problem's text and field. */
async function postForm(path, fields) {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined && v !== '') body.set(k, String(v));
  const res = await fetch(path, { method: 'POST', body });
  if (!res.ok) {
    const copy = res.clone();
    const err = new Error(await problemText(res));
    try {
      err.field = (await copy.json()).field;
    } catch {
      // not a problem document
    }
    throw err;
  }
  return res.json();
}

async function loadLocations() {
  const select = $('location');
  try {
    const res = await fetch('../api/get_location_names');
    if (!res.ok) throw new Error(await problemText(res));
    const { locations } = await res.json();
    select.replaceChildren(new Option('choose a location', ''), ...locations.map((name) => new Option(name, name)));
    select.disabled = false;
    select.dataset.count = String(locations.length);
  } catch (err) {
    select.replaceChildren(new Option('no locations', ''));
    say('estimate-result', `Could not load the locations: ${err.message}`, 'error');
  }
}

function resetFeedback() {
  state.stars = undefined;
  state.accurate = undefined;
  for (const b of document.querySelectorAll('.star')) {
    b.classList.remove('on');
    b.setAttribute('aria-pressed', 'false');
  }
  for (const b of document.querySelectorAll('[data-accurate]')) b.setAttribute('aria-pressed', 'false');
  $('actual_price').value = '';
  for (const id of ['stars-result', 'accurate-result', 'actual-result', 'feedback-result']) say(id, '');
  delete $('feedback-result').dataset.recorded;
  $('feedback-button').disabled = false;
}

async function estimate(event) {
  event.preventDefault();
  const button = $('estimate-button');
  button.disabled = true;
  say('estimate-result', 'estimating…', 'ok');
  try {
    const answer = await postForm('../api/predict_home_price', {
      location: $('location').value,
      total_sqft: $('total_sqft').value,
      bhk: $('bhk').value,
      bath: $('bath').value,
    });
    state.requestId = answer.requestId;
    const el = $('estimate-result');
    el.dataset.requestId = answer.requestId;
    el.dataset.variant = answer.variant;
    el.dataset.version = String(answer.version);
    el.dataset.price = String(answer.estimated_price);
    say(
      'estimate-result',
      `Estimated price: ${answer.estimated_price} lakh (model v${answer.version}, ${answer.variant})`,
    );
    resetFeedback();
    $('feedback').hidden = false;
  } catch (err) {
    state.requestId = undefined;
    $('feedback').hidden = true;
    say('estimate-result', `Could not estimate: ${err.message}`, 'error');
  } finally {
    button.disabled = false;
  }
}

function chooseStars(n) {
  state.stars = n;
  for (const b of document.querySelectorAll('.star')) {
    const on = Number(b.dataset.stars) <= n;
    b.classList.toggle('on', on);
    b.setAttribute('aria-pressed', String(Number(b.dataset.stars) === n));
  }
  say('stars-result', `${n} star${n === 1 ? '' : 's'} chosen`, 'ok');
}

function chooseAccurate(value) {
  state.accurate = value;
  for (const b of document.querySelectorAll('[data-accurate]'))
    b.setAttribute('aria-pressed', String(b.dataset.accurate === value));
  say('accurate-result', `“${value}” chosen`, 'ok');
}

async function sendFeedback(event) {
  event.preventDefault();
  if (state.requestId === undefined) return;
  const actual = $('actual_price').value.trim();
  if (state.stars === undefined && state.accurate === undefined && actual === '') {
    say('feedback-result', 'Give a rating, say whether it was accurate, or give the actual price first.', 'error');
    return;
  }
  const button = $('feedback-button');
  button.disabled = true;
  try {
    const r = await postForm('../api/feedback', {
      requestId: state.requestId,
      stars: state.stars,
      accurate: state.accurate,
      actual_price: actual,
    });
    say(
      'stars-result',
      r.stars !== undefined ? `Recorded: ${r.stars} star${r.stars === 1 ? '' : 's'}` : 'No rating given',
    );
    say('accurate-result', r.accurate !== undefined ? `Recorded: accurate — ${r.accurate}` : 'Not answered');
    say('actual-result', r.actual_price !== undefined ? `Recorded: actual price ${r.actual_price} lakh` : 'Not given');
    say('feedback-result', `Thank you: feedback recorded for model v${r.version} (${r.variant}).`);
    $('feedback-result').dataset.recorded = 'true';
  } catch (err) {
    button.disabled = false;
    const line = { stars: 'stars-result', accurate: 'accurate-result', actual_price: 'actual-result' }[err.field];
    if (line) say(line, err.message, 'error');
    say('feedback-result', `Not recorded: ${err.message}`, 'error');
  }
}

$('estimate').addEventListener('submit', estimate);
$('feedback-form').addEventListener('submit', sendFeedback);
for (const b of document.querySelectorAll('.star'))
  b.addEventListener('click', () => chooseStars(Number(b.dataset.stars)));
for (const b of document.querySelectorAll('[data-accurate]'))
  b.addEventListener('click', () => chooseAccurate(b.dataset.accurate));
loadLocations();
