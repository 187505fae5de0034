/* The command-center dashboard (指挥中心大屏): logs in with the OAuth2 password form, reads only the
   public API (/api/v1/stats/*, /api/v1/deadlines, /api/v1/cases/{id}) and refreshes itself by polling
   (?refresh=seconds, default 30) without reloading the page. */
"use strict";

(() => {
  const API = "/api/v1";
  const REFRESH_SECONDS = Number(new URLSearchParams(location.search).get("refresh")) || 30;
  const UNIT_NAMES = {
    fast: "快执组", "brigade-1": "执行一大队", "brigade-2": "执行二大队", "brigade-3": "执行三大队",
    "brigade-4": "执行四大队", disposal: "财产处置组", objection: "异议组", comprehensive: "综合组",
  };
  const $ = (id) => document.getElementById(id);
  let timer = null;
  let denied = false;

  const unitName = (code) => (code ? UNIT_NAMES[code] || code : "—");
  const token = () => sessionStorage.getItem("token");

  function show(which) {
    for (const id of ["login", "denied", "board", "case"]) $(id).hidden = id !== which;
    $("logout").hidden = which === "login";
  }

  async function api(path) {
    const response = await fetch(API + path, { headers: { Authorization: `Bearer ${token()}` } });
    const body = await response.json().catch(() => ({}));
    return { status: response.status, body };
  }

  async function login(event) {
    event.preventDefault();
    const form = new FormData($("login"));
    const response = await fetch(`${API}/auth/token`, { method: "POST", body: new URLSearchParams(form) });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      $("login-error").textContent = body.detail || `登录失败 Login failed (${response.status})`;
      return;
    }
    sessionStorage.setItem("token", body.access_token);
    $("login-error").textContent = "";
    $("login").reset();
    start();
  }

  function logout() {
    sessionStorage.removeItem("token");
    denied = false;
    clearInterval(timer);
    show("login");
  }

  function tile(label, value, figure, tone) {
    const div = document.createElement("div");
    div.className = `tile ${tone || ""}`;
    const number = document.createElement("span");
    number.className = "value";
    number.dataset.figure = figure;
    number.textContent = value;
    const caption = document.createElement("span");
    caption.className = "label";
    caption.textContent = label;
    div.append(number, caption);
    return div;
  }

  const percent = (share) => (share.ratio === null ? "—" : `${(share.ratio * 100).toFixed(1)}%`);

  function renderTiles(overview, deadlines) {
    const open = overview.cases_total - overview.by_state.closed;
    $("tiles").replaceChildren(
      tile("案件总数 Cases", overview.cases_total, "tile/cases_total"),
      tile("在办 Open", open, "tile/open"),
      tile("结案率 Closure rate", percent(overview.closure_rate), "tile/closure_rate"),
      tile("平均结案天数(中位) Median days to close", overview.median_days_to_close ?? "—", "tile/median_days_to_close"),
      tile("终本占比 终本 share", percent(overview.termination_share), "tile/termination_share"),
      tile("快执占比 Fast-track share", percent(overview.fast_track_share), "tile/fast_track_share"),
      tile("即将到期 Due soon", deadlines.total.due_soon, "tile/due_soon", "warn"),
      tile("已超期 Overdue", deadlines.total.overdue, "tile/overdue", "bad"),
    );
  }

  function renderCharts(overview, trends, workload, deadlines) {
    const openByUnit = Object.entries(overview.by_unit)
      .map(([code, counts]) => ({ label: unitName(code), value: counts.open, figure: `open-by-unit/${code}` }))
      .sort((a, b) => b.value - a.value);
    Charts.bars($("chart-open-by-unit"), openByUnit);
    Charts.donut($("chart-track-share"), [
      { key: "simple", label: "简案 Fast", value: overview.by_track.simple || 0 },
      { key: "ordinary", label: "繁案 Ordinary", value: overview.by_track.ordinary || 0 },
    ], "track");
    Charts.columns($("chart-months"), trends.months, [
      { key: "filed", name: "收案 Filed", values: trends.total.filed },
      { key: "closed", name: "结案 Closed", values: trends.total.closed },
      { key: "zb", legend: "zb", name: "终本 Terminated (终本)", values: trends.total.terminated_current },
    ], { figure: "months", short: (m) => m.slice(2).replace("-", "/") });
    const units = Object.keys(deadlines.by_unit);
    Charts.columns($("chart-deadlines"), units, [
      { key: "soon", name: "即将到期 Due soon", values: units.map((u) => deadlines.by_unit[u].due_soon) },
      { key: "over", name: "已超期 Overdue", values: units.map((u) => deadlines.by_unit[u].overdue) },
    ], { figure: "deadlines", width: 440, height: 240, short: unitName });
    Charts.bars($("chart-workload"), workload.judges.slice(0, 10).map((judge) => ({
      label: judge.full_name, value: judge.open_cases, figure: `workload/${judge.username}`,
    })), { labelWidth: 150 });
  }

  function cell(text, className) {
    const td = document.createElement("td");
    if (className) td.className = className;
    if (text instanceof Node) td.appendChild(text);
    else td.textContent = text ?? "—";
    return td;
  }

  function renderBoard(page) {
    const rows = page.items.map((item) => {
      const tr = document.createElement("tr");
      let number = item.case_number || `${item.subject_type} ${item.subject_id ?? ""}`;
      if (item.case_id) {
        number = document.createElement("a");
        number.href = `#case/${item.case_id}`;
        number.textContent = item.case_number;
        number.dataset.caseId = String(item.case_id);
      }
      tr.append(
        cell(number), cell(`${item.rule} ${item.title}`), cell(unitName(item.unit)), cell(item.handler_name),
        cell(item.due_on), cell(String(item.days_overdue), "num"),
      );
      return tr;
    });
    if (!rows.length) {
      const tr = document.createElement("tr");
      const td = cell("无超期 Nothing overdue");
      td.colSpan = 6;
      tr.appendChild(td);
      rows.push(tr);
    }
    $("board-rows").replaceChildren(...rows);
  }

  async function refresh() {
    const [me, overview, trends, workload, deadlines, board] = await Promise.all([
      api("/me"), api("/stats/overview"), api("/stats/trends"), api("/stats/workload"),
      api("/stats/deadlines"), api("/deadlines?status=overdue&limit=15"),
    ]);
    if (me.status === 401) return logout();
    if ([overview, trends, workload, deadlines].some((r) => r.status === 403)) {
      clearInterval(timer);
      denied = true;
      const who = me.body.full_name ? `${me.body.full_name} (${me.body.username})` : "this account";
      $("denied-text").textContent =
        `${who} 没有查看统计的权限。统计仅向指挥中心和局领导开放，如需查看请联系系统管理员。` +
        ` — ${who} may not read the statistics (permission stats.read): they are open to the command center and the bureau's leadership. Ask the administrator if you need them.`;
      show("denied");
      return;
    }
    const failed = [overview, trends, workload, deadlines, board].find((r) => r.status !== 200);
    if (failed) {
      $("status").textContent = `数据暂不可用 Figures unavailable (${failed.status}); retrying`;
      return;
    }
    renderTiles(overview.body, deadlines.body);
    renderCharts(overview.body, trends.body, workload.body, deadlines.body);
    renderBoard(board.body);
    $("status").textContent = `${me.body.full_name || ""} · 更新于 updated ${new Date().toLocaleTimeString("zh-CN", { hour12: false })} · 每 ${REFRESH_SECONDS} 秒刷新 refreshes every ${REFRESH_SECONDS} s`;
    document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed || 0) + 1);
    if (!location.hash.startsWith("#case/")) show("board");
  }

  async function showCase(caseId) {
    const { status, body } = await api(`/cases/${caseId}`);
    show("case");
    if (status !== 200) {
      $("case-number").textContent = `案件不可查看 Case not available (${status})`;
      $("case-facts").replaceChildren();
      $("case-deadlines").replaceChildren();
      return;
    }
    $("case-number").textContent = body.case_number;
    const facts = [
      ["状态 State", body.closure_mode ? `${body.state} (${body.closure_mode})` : body.state],
      ["立案 Filed", body.filed_on], ["部门 Unit", unitName(body.unit)], ["程序 Track", body.track ?? "—"],
      ["申请执行人 Applicants", body.applicants.map((p) => p.name).join("、")],
      ["被执行人 Respondents", body.respondents.map((p) => p.name).join("、")],
    ];
    $("case-facts").replaceChildren(...facts.flatMap(([term, value]) => {
      const dt = document.createElement("dt");
      dt.textContent = term;
      const dd = document.createElement("dd");
      dd.textContent = value;
      return [dt, dd];
    }));
    $("case-deadlines").replaceChildren(...body.deadlines.map((d) => {
      const tr = document.createElement("tr");
      tr.append(cell(d.rule), cell(d.status), cell(d.due_on));
      return tr;
    }));
  }

  function route() {
    const match = location.hash.match(/^#case\/(\d+)$/);
    if (!token()) return show("login");
    if (denied) return show("denied");
    if (match) return showCase(match[1]);
    show("board");
  }

  function start() {
    clearInterval(timer);
    refresh().then(route);
    timer = setInterval(refresh, REFRESH_SECONDS * 1000);
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("login").addEventListener("submit", login);
    $("logout").addEventListener("click", logout);
    $("case-back").addEventListener("click", (event) => { event.preventDefault(); location.hash = ""; });
    window.addEventListener("hashchange", route);
    if (token()) start();
    else show("login");
  });
})();
