// The SessionCluster dashboard: polls this node's /cluster/members, /cluster/shards and /dashboard/summary about once
// a second and redraws. When a read fails (the node is stopping, the coordinator is moving) it says so at the top and
// keeps showing the last picture it had. No framework, no external resources.
'use strict';

(() => {
  const POLL_MS = 1000;
  const TIMEOUT_MS = 2500;
  // With session-cluster.management.protect-reads on, every read needs the management token: the page asks for it
  // once and keeps it for this tab only (sessionStorage), sent as a Bearer header, never in a URL.
  const TOKEN_KEY = 'sessioncluster.management.token';
  // Statuses of a member that still answers for its shards; a shard leaving any other member left by a failover.
  const LIVE = new Set(['Joining', 'WeaklyUp', 'Up', 'Leaving', 'Exiting']);

  const state = {
    members: null,
    shards: null,
    shardsMissing: false,
    summary: null,
    previousSummary: null,
    requestRate: null,
    lastGood: null,
    lastHome: new Map(),
    moves: 0,
    failovers: 0,
  };

  const $ = (id) => document.getElementById(id);
  const number = (n) => (n === null || n === undefined ? '–' : Number(n).toLocaleString('en-US'));
  const clock = (date) => date.toLocaleTimeString('en-GB', { hour12: false });

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function bytes(n) {
    if (n === null || n === undefined) return '–';
    const mib = n / (1024 * 1024);
    return mib >= 1024 ? `${(mib / 1024).toFixed(2)} GiB` : `${mib.toFixed(1)} MiB`;
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined) return '–';
    const s = Math.floor(seconds);
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${s % 60} s` : `${s} s`;
  }

  // Golden-angle hues: neighbouring shard ids get clearly different colours, and a shard keeps its colour as it moves.
  const hue = (id) => Math.round((id * 137.508) % 360);

  async function getJson(path) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
    try {
      const token = sessionStorage.getItem(TOKEN_KEY);
      const headers = token ? { Authorization: `Bearer ${token}` } : {};
      const response = await fetch(path, { cache: 'no-store', signal: controller.signal, headers });
      const text = await response.text();
      let body = null;
      try { body = JSON.parse(text); } catch { body = null; }
      if (!response.ok) {
        const error = new Error(`${path}: ${response.status} ${body && body.error ? body.error : text.slice(0, 160)}`);
        error.status = response.status;
        throw error;
      }
      return body;
    } catch (error) {
      if (error.status) throw error;
      const failure = new Error(error.name === 'AbortError' ? `${path}: no answer within ${TIMEOUT_MS / 1000} s` : `${path}: ${error.message}`);
      failure.unreachable = true;
      throw failure;
    } finally {
      clearTimeout(timer);
    }
  }

  function liveMembers() {
    const members = (state.members && state.members.members) || [];
    return new Set(members.filter((m) => LIVE.has(m.status) && m.reachable).map((m) => m.address));
  }

  // A shard whose home changed: a move (hand-off) if the old home is still a live member, else a failover.
  function observeMoves(table) {
    const live = liveMembers();
    for (const shard of table.shards) {
      if (!shard.home) continue;
      const before = state.lastHome.get(shard.id);
      if (before && before !== shard.home) {
        if (live.has(before)) state.moves++; else state.failovers++;
      }
      state.lastHome.set(shard.id, shard.home);
    }
  }

  function observeSummary(summary) {
    const now = performance.now();
    const previous = state.previousSummary;
    if (previous && now - previous.at > 200) {
      state.requestRate = Math.max(0, (summary.requestsTotal - previous.total) / ((now - previous.at) / 1000));
    }
    state.previousSummary = { at: now, total: summary.requestsTotal };
    state.summary = summary;
  }

  async function poll() {
    const [members, shards, summary] = await Promise.allSettled([
      getJson('/cluster/members'), getJson('/cluster/shards'), getJson('/dashboard/summary')]);
    const errors = [];
    const unreachable = [members, shards, summary].every((read) => read.status === 'rejected' && read.reason.unreachable);
    if (members.status === 'fulfilled') state.members = members.value; else errors.push(members.reason.message);
    if (shards.status === 'fulfilled') {
      observeMoves(shards.value);
      state.shards = shards.value;
      state.shardsMissing = false;
    } else if (shards.reason.status === 404) {
      state.shardsMissing = true;
    } else {
      errors.push(shards.reason.message);
    }
    if (summary.status === 'fulfilled') observeSummary(summary.value); else errors.push(summary.reason.message);
    const refused = [members, shards, summary].some((read) => read.status === 'rejected' && read.reason.status === 401);
    $('token-form').hidden = !refused;
    if (errors.length === 0) state.lastGood = new Date();
    try {
      // The node itself gone (stopped, killed, network): one line says so rather than three.
      render(unreachable ? [`this node does not answer (${members.reason.message}); is it down?`] : errors);
    } finally {
      setTimeout(poll, POLL_MS);
    }
  }

  function render(errors) {
    const status = $('status');
    if (errors.length > 0) {
      status.className = 'status error';
      const since = state.lastGood ? ` — showing the picture from ${clock(state.lastGood)}` : '';
      status.textContent = `${errors.join(' · ')}${since}`;
    } else {
      status.className = 'status';
      status.textContent = `live · updated ${clock(state.lastGood)}`;
    }
    renderFacts();
    renderTiles();
    renderShardMap();
    renderMembers();
    renderNode();
  }

  function renderFacts() {
    const m = state.members;
    $('self').textContent = m ? m.self : '…';
    $('leader').textContent = m ? (m.leader || 'none') : '…';
    $('converged').textContent = m ? (m.converged ? 'yes' : 'no') : '…';
    $('coordinator').textContent = state.shardsMissing ? 'not known here'
      : state.shards ? (state.shards.coordinator || 'none (moving)') : '…';
  }

  function renderTiles() {
    const members = (state.members && state.members.members) || [];
    $('members-up').textContent = state.members ? `${members.filter((m) => m.status === 'Up').length}/${members.length}` : '–';
    $('unreachable').textContent = state.members ? String(members.filter((m) => !m.reachable).length) : '–';
    const shards = (state.shards && state.shards.shards) || [];
    $('shards-allocated').textContent = state.shards ? `${shards.filter((s) => s.home).length}/${shards.length}` : '–';
    const counted = shards.filter((s) => typeof s.sessions === 'number');
    const sessions = counted.reduce((sum, s) => sum + s.sessions, 0);
    $('sessions').textContent = state.shards ? (counted.length < shards.length ? `≥ ${number(sessions)}` : number(sessions)) : '–';
    $('requests-rate').textContent = state.requestRate === null ? '–' : number(Math.round(state.requestRate));
    $('moves').textContent = number(state.moves);
    $('failovers').textContent = number(state.failovers);
  }

  // One row per worker (and per address the table names that is no longer a member), in the order they came up.
  function workerRows() {
    const members = (state.members && state.members.members) || [];
    const rows = members
      .filter((m) => m.roles.includes('worker') && m.status !== 'Removed')
      .sort((a, b) => (a.upNumber || Number.MAX_SAFE_INTEGER) - (b.upNumber || Number.MAX_SAFE_INTEGER) || a.address.localeCompare(b.address))
      .map((m) => ({ address: m.address, member: m }));
    const known = new Set(rows.map((row) => row.address));
    for (const shard of (state.shards && state.shards.shards) || []) {
      for (const address of [shard.home, ...(shard.backups || [])]) {
        if (address && !known.has(address)) {
          known.add(address);
          rows.push({ address, member: null });
        }
      }
    }
    return rows;
  }

  function shardBox(shard, backup) {
    const box = element('span', backup ? 'shard backup' : 'shard home');
    box.dataset.shard = String(shard.id);
    box.style.setProperty('--hue', String(hue(shard.id)));
    const sessions = typeof shard.sessions === 'number' ? `${number(shard.sessions)} sessions` : 'sessions unknown';
    box.title = backup ? `shard ${shard.id} (backup copy; home ${shard.home})` : `shard ${shard.id} · ${sessions} · epoch ${shard.epoch}`;
    return box;
  }

  function renderShardMap() {
    const note = $('shards-note');
    const map = $('shard-map');
    if (state.shardsMissing) {
      note.hidden = false;
      note.textContent = 'This node keeps no shard table (a Lighthouse hosts no region): open the dashboard on a worker or a front node to see the shards.';
      map.replaceChildren();
      return;
    }
    note.hidden = true;
    if (!state.shards) return;
    const shards = state.shards.shards;
    const live = liveMembers();
    const fragment = document.createDocumentFragment();
    for (const row of workerRows()) {
      const homes = shards.filter((s) => s.home === row.address).sort((a, b) => a.id - b.id);
      const backups = shards.filter((s) => (s.backups || []).includes(row.address)).sort((a, b) => a.id - b.id);
      const sessions = homes.reduce((sum, s) => sum + (typeof s.sessions === 'number' ? s.sessions : 0), 0);
      const gone = !live.has(row.address);
      const line = element('div', gone ? 'row gone' : 'row');
      line.dataset.address = row.address;
      const label = element('div', 'label');
      label.append(element('span', 'name', row.member && row.member.route ? `${row.address} · ${row.member.route}` : row.address));
      const status = row.member ? (row.member.reachable ? row.member.status : `${row.member.status}, unreachable`) : 'not a member';
      label.append(element('span', 'counts', `${homes.length} shards · ${backups.length} backups · ${number(sessions)} sessions · ${status}`));
      // Two lines: the shards it serves, then the backup copies it keeps.
      const boxes = element('div', 'boxes');
      const served = element('div', 'line homes');
      for (const shard of homes) served.append(shardBox(shard, false));
      if (homes.length === 0) served.append(element('span', 'empty', 'serves no shard'));
      boxes.append(served);
      if (backups.length > 0) {
        const copies = element('div', 'line backups');
        for (const shard of backups) copies.append(shardBox(shard, true));
        boxes.append(copies);
      }
      line.append(label, boxes);
      fragment.append(line);
    }
    map.replaceChildren(fragment);
  }

  function renderMembers() {
    if (!state.members) return;
    const coordinator = state.shards ? state.shards.coordinator : null;
    const body = document.querySelector('#members tbody');
    const fragment = document.createDocumentFragment();
    for (const m of state.members.members) {
      const tr = element('tr');
      tr.dataset.address = m.address;
      tr.append(element('td', 'address', m.address));
      tr.append(element('td', 'route', m.route || ''));
      tr.append(element('td', `status-${m.status}`, m.status));
      tr.append(element('td', null, m.roles.join(', ')));
      tr.append(element('td', m.reachable ? null : 'unreachable', m.reachable ? 'yes' : 'NO'));
      tr.append(element('td', null, m.upNumber > 0 && m.upNumber < 2147483647 ? String(m.upNumber) : ''));
      const marks = element('td');
      if (m.address === state.members.leader) marks.append(element('span', 'badge', 'leader'));
      if (m.address === coordinator) marks.append(element('span', 'badge', 'coordinator'));
      if (m.address === state.members.self) marks.append(element('span', 'badge', 'this node'));
      tr.append(marks);
      fragment.append(tr);
    }
    body.replaceChildren(fragment);
  }

  function renderNode() {
    const s = state.summary;
    if (!s) return;
    $('node-requests').textContent = number(s.requestsTotal);
    $('node-handoffs').textContent = number(s.handoffs);
    $('node-failovers').textContent = number(s.failovers);
    $('node-heap').textContent = bytes(s.gcHeapBytes);
    $('node-working-set').textContent = bytes(s.workingSetBytes);
    $('node-uptime').textContent = duration(s.uptimeSeconds);
  }

  $('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const value = $('token').value.trim();
    if (value) sessionStorage.setItem(TOKEN_KEY, value); else sessionStorage.removeItem(TOKEN_KEY);
    $('token').value = '';
  });
  poll();
})();
