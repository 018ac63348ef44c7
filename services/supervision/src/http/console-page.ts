/**
 * The operator console as one server-rendered page (no front-end build):
 * counts at the top, a filter form, the table of open warnings and cards,
 * and a small script that keeps the table live from server-sent events and
 * exchanges a `#token=` fragment for the session cookie (console-session.ts).
 */
import type { Card, IndexEntry, IndexFilter } from '../app/deadline-index.ts';
import { CARD_LABELS } from '../domain/kinds.ts';
import type { TimelineEntry } from '../app/case-history.ts';

const escape = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const CARD_ORDER: Record<Card, number> = { red: 0, yellow: 1, warning: 2 };

export const sortEntries = (entries: readonly IndexEntry[]): IndexEntry[] =>
  [...entries].sort((a, b) => CARD_ORDER[a.card!] - CARD_ORDER[b.card!] || (a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : 0));

export const countsOf = (entries: readonly IndexEntry[]): Record<Card, number> => ({
  warning: entries.filter((e) => e.card === 'warning').length,
  yellow: entries.filter((e) => e.card === 'yellow').length,
  red: entries.filter((e) => e.card === 'red').length,
});

const STYLE = `
body{font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC","WenQuanYi Zen Hei",system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1d2129}
header{background:#b71c1c;color:#fff;padding:12px 24px}header h1{margin:0;font-size:20px}
main{padding:16px 24px}
.counts{display:flex;gap:12px;margin-bottom:16px}
.count{background:#fff;border-radius:6px;padding:10px 18px;min-width:110px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.count b{display:block;font-size:26px}
.count.warning b{color:#d48806}.count.yellow b{color:#c9a100}.count.red b{color:#c62828}
form.filters{display:flex;gap:10px;align-items:end;flex-wrap:wrap;margin-bottom:12px}
form.filters label{display:flex;flex-direction:column;font-size:12px;color:#4e5969}
select,button,input{font:inherit;padding:4px 8px}
table{width:100%;border-collapse:collapse;background:#fff;box-shadow:0 1px 2px rgba(0,0,0,.08)}
th,td{padding:8px 10px;border-bottom:1px solid #e5e6eb;text-align:left;font-size:14px}
th{background:#fafafa}
.card{display:inline-block;padding:2px 8px;border-radius:3px;font-weight:600}
.card.warning{background:#fff7e6;color:#d48806}.card.yellow{background:#fffbe6;color:#ad8b00;border:1px solid #fadb14}.card.red{background:#fff1f0;color:#c62828;border:1px solid #ff4d4f}
.status{font-size:12px;color:#86909c;margin-left:auto}
.empty{padding:24px;text-align:center;color:#86909c}
`;

function option(value: string, label: string, selected: string | undefined): string {
  return `<option value="${escape(value)}"${selected === value ? ' selected' : ''}>${escape(label)}</option>`;
}

function select(name: string, label: string, values: readonly (readonly [string, string])[], selected: string | undefined): string {
  return `<label>${label}<select name="${name}" data-filter="${name}">${option('', '全部', selected ?? '')}${values.map(([v, l]) => option(v, l, selected)).join('')}</select></label>`;
}

export function rowHtml(entry: IndexEntry): string {
  const card = entry.card ?? 'warning';
  return (
    `<tr data-id="${escape(entry.deadlineId)}" data-card="${card}" data-department="${escape(entry.department)}" data-centre="${escape(entry.centre)}" data-item="${escape(entry.itemCode)}" data-due-at="${escape(entry.dueAt)}">` +
    `<td><span class="card ${card}">${CARD_LABELS[card]}</span></td>` +
    `<td><a href="/supervision/console/cases/${encodeURIComponent(entry.caseId)}">${escape(entry.caseId)}</a></td>` +
    `<td>${escape(entry.label)}</td>` +
    `<td>${escape(entry.due)}</td>` +
    `<td>${escape(entry.department)}</td>` +
    `<td>${escape(entry.centre)}</td>` +
    `<td>${escape(entry.itemName || entry.itemCode)}</td>` +
    `</tr>`
  );
}

const SCRIPT = `
(function(){
  var status = document.getElementById('status');
  if (location.hash.indexOf('#token=') === 0) {
    var token = decodeURIComponent(location.hash.slice(7));
    history.replaceState(null, '', location.pathname + location.search);
    fetch('/supervision/console/session', { method: 'POST', headers: { authorization: 'Bearer ' + token }, credentials: 'same-origin' })
      .then(function (r) { if (r.ok) location.reload(); else status.textContent = '登录失败（' + r.status + '）'; });
    return;
  }
  if (document.body.dataset.authed !== 'true') return;
  var labels = ${JSON.stringify(CARD_LABELS)};
  var params = new URLSearchParams(location.search);
  var filter = { card: params.get('card') || '', department: params.get('department') || '', centre: params.get('centre') || '', item: params.get('itemCode') || '' };
  var body = document.getElementById('rows');
  function esc(s){ return String(s).replace(/[&<>"']/g, function(c){ return {'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c]; }); }
  function visible(e){ return e.card && (!filter.card || e.card === filter.card) && (!filter.department || e.department === filter.department) && (!filter.centre || e.centre === filter.centre) && (!filter.item || e.itemCode === filter.item); }
  function recount(){
    ['warning','yellow','red'].forEach(function(c){ document.getElementById('count-' + c).textContent = body.querySelectorAll('tr[data-card="' + c + '"]').length; });
    document.getElementById('empty').hidden = body.children.length > 0;
  }
  function remove(id){ var old = body.querySelector('tr[data-id="' + CSS.escape(id) + '"]'); if (old) old.remove(); }
  function upsert(e){
    remove(e.deadlineId);
    if (!visible(e)) return recount();
    var tr = document.createElement('tr');
    tr.dataset.id = e.deadlineId; tr.dataset.card = e.card; tr.dataset.department = e.department; tr.dataset.centre = e.centre; tr.dataset.item = e.itemCode; tr.dataset.dueAt = e.dueAt;
    tr.innerHTML = '<td><span class="card ' + e.card + '">' + labels[e.card] + '</span></td><td><a href="/supervision/console/cases/' + encodeURIComponent(e.caseId) + '">' + esc(e.caseId) + '</a></td><td>' + esc(e.label) + '</td><td>' + esc(e.due) + '</td><td>' + esc(e.department) + '</td><td>' + esc(e.centre) + '</td><td>' + esc(e.itemName || e.itemCode) + '</td>';
    tr.className = 'fresh';
    body.insertBefore(tr, body.firstChild);
    recount();
  }
  var source = new EventSource('/supervision/console/events');
  source.addEventListener('open', function(){ status.textContent = '实时更新已连接'; });
  source.addEventListener('error', function(){ status.textContent = '实时更新中断，正在重连…'; });
  source.addEventListener('deadline', function(m){ upsert(JSON.parse(m.data)); });
  source.addEventListener('closed', function(m){ remove(JSON.parse(m.data).deadlineId); recount(); });
  document.querySelectorAll('select[data-filter]').forEach(function(s){ s.addEventListener('change', function(){ s.form.submit(); }); });
})();
`;

export interface ConsoleView {
  readonly authed: boolean;
  readonly entries: readonly IndexEntry[];
  readonly filter: IndexFilter;
  /** Every carded entry, unfiltered: the filter options come from it. */
  readonly all: readonly IndexEntry[];
  readonly now: string;
}

export function consolePage(view: ConsoleView): string {
  const counts = countsOf(view.entries);
  const distinct = (pick: (e: IndexEntry) => string, label: (e: IndexEntry) => string = pick) =>
    [...new Map(view.all.filter((e) => pick(e) !== '').map((e) => [pick(e), label(e)] as const)).entries()].sort(([a], [b]) => a.localeCompare(b));
  const rows = sortEntries(view.entries).map(rowHtml).join('');
  const body = view.authed
    ? `<section class="counts">
  <div class="count warning">预警<b id="count-warning">${counts.warning}</b></div>
  <div class="count yellow">黄牌<b id="count-yellow">${counts.yellow}</b></div>
  <div class="count red">红牌<b id="count-red">${counts.red}</b></div>
  <span class="status" id="status">连接中…</span>
</section>
<form class="filters" method="get" action="/supervision/console">
  ${select('card', '牌色', (Object.keys(CARD_LABELS) as Card[]).map((c) => [c, CARD_LABELS[c]] as const), view.filter.card)}
  ${select('department', '部门', distinct((e) => e.department), view.filter.department)}
  ${select('centre', '服务中心', distinct((e) => e.centre), view.filter.centre)}
  ${select('itemCode', '事项', distinct((e) => e.itemCode, (e) => e.itemName || e.itemCode), view.filter.itemCode)}
  <button type="submit">筛选</button>
</form>
<table>
  <thead><tr><th>状态</th><th>办件</th><th>时限</th><th>届满日</th><th>部门</th><th>服务中心</th><th>事项</th></tr></thead>
  <tbody id="rows">${rows}</tbody>
</table>
<div class="empty" id="empty"${view.entries.length > 0 ? ' hidden' : ''}>暂无预警或亮牌</div>`
    : `<p id="status">请通过带有访问令牌的链接打开本页（/supervision/console#token=…）。</p>`;
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>电子监察 · 办件时限监控</title><style>${STYLE}</style></head>
<body data-authed="${view.authed}">
<header><h1>电子监察 · 办件时限监控</h1></header>
<main>${body}</main>
<script>${SCRIPT}</script>
</body></html>`;
}

export function casePage(caseId: string, entries: readonly TimelineEntry[]): string {
  const rows = entries
    .map(
      (e) =>
        `<tr><td>${escape(e.position)}</td><td>${escape(e.recordedAt)}</td><td>${escape(e.stream)}</td><td>${escape(e.type)}</td><td>${escape(e.summary)}</td><td>${escape(`${e.actor.role}:${e.actor.id}`)}</td><td>${escape(e.guideVersion ?? '')}</td></tr>`,
    )
    .join('');
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>办件 ${escape(caseId)} · 全程记录</title><style>${STYLE}</style></head>
<body><header><h1>办件 ${escape(caseId)} · 全程记录</h1></header>
<main><p><a href="/supervision/console">← 返回监控台</a></p>
<table><thead><tr><th>序号</th><th>记录时间</th><th>流</th><th>事件</th><th>说明</th><th>操作人</th><th>指南版本</th></tr></thead><tbody>${rows}</tbody></table>
</main></body></html>`;
}
