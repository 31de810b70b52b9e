"""The dashboard: pick or upload a scenario, move the main parameters, run, watch, compare, download.

Dash (Plotly's web framework) rather than Solara or Streamlit: its callbacks are plain
HTTP requests to a Flask server — testable and load-testable without a browser, servable by
any WSGI server — its Plotly figures are interactive and served from the package (no CDN:
the page works offline), and ``create_app().run(jupyter_mode="inline")`` shows it inside
Jupyter. Runs execute in :class:`~quotasim.dashboard.jobs.JobQueue`, never in a request.
"""

from __future__ import annotations

import math
from typing import Any

from dash import Dash, Input, Output, State, ctx, dcc, html, no_update

from ..errors import ScenarioError
from ..explain import ledger
from ..scenario import Scenario, builtin_names, get_parameter, load_scenario, to_toml
from .controls import CONTROLS, MAX_DASHBOARD_MONTHS, MAX_PEOPLE, MAX_REPLICATIONS, RULES
from .figures import PANELS, headline, panel_figure, scale_note
from .guard import LOOPBACK_NAMES, MAX_REQUEST_THREADS, Refused, guard, make_server, served_hosts
from .jobs import Busy, JobQueue
from .scenarios import (
    MAX_SCALE,
    MAX_UPLOAD_BYTES,
    MIN_SCALE,
    SCALE_STEP,
    UploadError,
    build,
    from_upload,
    page_numbers,
    page_replications,
    too_large,
    upload_name,
)

__all__ = ["create_app", "serve", "MAX_REQUEST_BYTES", "PROGRESS_POLL_MS"]

#: Largest HTTP request the server reads: an upload's base64 is 4/3 of the file, plus the page's state.
MAX_REQUEST_BYTES = 2 * MAX_UPLOAD_BYTES + 64 * 1024
#: How often a page with a run in progress asks for its progress (each time one request).
PROGRESS_POLL_MS = 400
_UPLOAD = "upload:"


def _slider_id(name: str) -> str:
    return "param-" + name.replace(".", "-")


def _control(control, meaning: dict[str, dict]) -> html.Div:
    row = meaning.get(control.name, {})
    label = f"{control.name} ({row.get('mechanism') or 'scenario'}) — {row.get('meaning', '')} [{row.get('unit', '')}]"
    return html.Div([
        html.Label(label, htmlFor=_slider_id(control.name), className="control-label"),
        dcc.Slider(id=_slider_id(control.name), min=control.low, max=control.high, step=control.step, value=None,
                   marks=None, tooltip={"placement": "bottom"}, allow_direct_input=True, updatemode="mouseup"),
    ], className="control")


def create_app(queue: JobQueue | None = None, hosts: frozenset[str] = LOOPBACK_NAMES) -> Dash:
    """The Dash app, with its own job queue unless one is given, answering requests that name
    one of ``hosts`` (default: this machine's loopback names) and refusing others."""
    queue = queue or JobQueue()
    # Dash documents update_title=None (no "Updating..." title) but types it str only.
    app = Dash(__name__, title="quotasim dashboard", serve_locally=True, update_title=None)  # type: ignore[arg-type]
    app.server.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES   # larger requests: 413, never read
    guard(app.server, hosts)
    app.server.extensions["quotasim_jobs"] = queue
    meaning = {row["parameter"]: row for row in ledger(load_scenario("baseline"))}
    app.layout = _layout(meaning)
    _callbacks(app, queue)
    return app


def _layout(meaning: dict[str, dict]) -> html.Div:
    """Controls in a left column that stays in view (the Run button near its top), results on the right."""
    controls = html.Div([
        html.H3("Scenario"),
        dcc.RadioItems(id="scenario", options=builtin_names(), value="baseline", className="scenarios"),
        html.Div([
            html.Label("months ", htmlFor="months"),
            dcc.Input(id="months", type="number", min=1, max=MAX_DASHBOARD_MONTHS, step=1, value=120),
            html.Label(" population scale ", htmlFor="scale"),
            dcc.Input(id="scale", type="number", min=MIN_SCALE, max=MAX_SCALE, step=SCALE_STEP, value=0.1),
            html.Label(" seed ", htmlFor="seed"),
            dcc.Input(id="seed", type="number", min=0, step=1, value=0),
            html.Label(" replications ", htmlFor="replications"),
            dcc.Input(id="replications", type="number", min=1, max=MAX_REPLICATIONS, step=1, value=4),
        ], className="settings"),
        html.Button("Run", id="run", n_clicks=0),
        html.Progress(id="progress", value="0", max="1"),
        html.Div(id="status", children="no run yet"),
        html.Pre(id="error", className="message"),
        # The browser refuses a file over the limit without sending it, and says nothing;
        # assets/upload_limit.js shows this refusal then (the server checks again).
        # Dash components take data-* attributes as keywords, which their generated
        # signatures do not declare.
        html.Div(dcc.Upload(id="upload", children=html.Div(["Drop a scenario file here or ", html.A("choose one")]),
                            className="upload", multiple=False, max_size=MAX_UPLOAD_BYTES),
                 id="upload-limit", **{"data-max-bytes": str(MAX_UPLOAD_BYTES),  # type: ignore[arg-type]
                                       "data-refusal": "error: " + too_large("{name}", "{size}")}),
        html.Pre(id="upload-message", className="message"),
        html.H3("Main parameters"),
        *[_control(control, meaning) for control in CONTROLS],
        html.Label("behaviour.rule — how officials choose effort", htmlFor="rule"),
        dcc.RadioItems(id="rule", options=list(RULES), value="adaptive", inline=True),
    ], id="controls", className="panel controls")
    results = html.Div([
        html.H3("This run against the previous one"),
        html.P(id="scale-note", className="note", children=_NOTE_BEFORE),
        html.Table(id="headline"),
        html.Div([
            html.Button("monthly table (CSV)", id="download-monthly"),
            html.Button("reviews table (CSV)", id="download-reviews"),
            html.Button("scenario file (TOML)", id="download-scenario"),
            dcc.Download(id="download"),
        ], className="row"),
        html.Div([dcc.Graph(id=panel.id, figure=panel_figure(panel, None, None), className="figure")
                  for panel in PANELS], className="figures"),
    ], id="results", className="panel results")
    return html.Div([
        html.H1("quotasim"),
        html.P("A quota-driven state foreign-trade system: pick a scenario, move its main parameters, run. "
               f"Runs here are capped at {MAX_PEOPLE:,} people, {MAX_DASHBOARD_MONTHS} months and "
               f"{MAX_REPLICATIONS} replications; every parameter and its source: `quotasim explain SCENARIO`."),
        html.Div([controls, results], className="columns"),
        dcc.Store(id="uploaded", data={}),
        dcc.Store(id="current-job"),
        dcc.Store(id="previous-job"),
        dcc.Interval(id="tick", interval=PROGRESS_POLL_MS, disabled=True),
    ], style={"fontFamily": "sans-serif", "margin": "16px"})


_NOTE_BEFORE = "Money and people are shown for the full system: a run at a smaller population scale is summed " \
               "back up by 1/scale, and each figure says so."


def _scale_sentence(job) -> str:
    runs = "one run" if job.replications == 1 else f"the mean of {job.replications} replications"
    return f"Figures per year, {runs}; {scale_note(job.scale)}."


def _base(choice: Any, uploaded: Any) -> Scenario:
    """The scenario chosen: a built-in one, or an upload the page holds (data only: it may
    extend built-in scenarios, never a file on the server). Anything else is refused (400)."""
    if isinstance(choice, str) and choice in builtin_names():
        return load_scenario(choice)
    if isinstance(choice, str) and choice.startswith(_UPLOAD) and isinstance(uploaded, dict) \
            and isinstance(uploaded.get(choice), dict):
        try:
            return load_scenario(uploaded[choice], files=False, label=choice[len(_UPLOAD):][:255])
        except ScenarioError as exc:
            raise Refused(str(exc)) from None
    shown = repr(choice)[:80] if not isinstance(choice, (dict, list)) else type(choice).__name__
    raise Refused(f"scenario = {shown}: not a scenario this page offers; one of {', '.join(builtin_names())} "
                  "or an uploaded file")


def _callbacks(app: Dash, queue: JobQueue) -> None:
    sliders = [Output(_slider_id(control.name), "value") for control in CONTROLS]

    @app.callback(Output("uploaded", "data"), Output("scenario", "options"), Output("scenario", "value"),
                  Output("upload-message", "children"),
                  Input("upload", "contents"), State("upload", "filename"), State("uploaded", "data"),
                  prevent_initial_call=True)
    def receive_upload(contents, filename, uploaded):
        try:
            filename = upload_name(filename)
            scenario = from_upload(contents if isinstance(contents, str) else "", filename)
        except (ScenarioError, UploadError) as exc:
            return no_update, no_update, no_update, "error: " + str(exc)   # the CLI's words
        if not isinstance(uploaded, dict):
            uploaded = {}
        key = f"{_UPLOAD}{filename}"
        uploaded = {**(uploaded or {}), key: scenario.model_dump(mode="json")}
        options = builtin_names() + [{"label": f"uploaded: {name[len(_UPLOAD):]}", "value": name} for name in uploaded]
        return uploaded, options, key, f"loaded {filename}: scenario {scenario.name!r}, {scenario.months} months"

    @app.callback(*sliders, Output("rule", "value"), Output("months", "value"),
                  Input("scenario", "value"), State("uploaded", "data"))
    def show_scenario(choice, uploaded):
        scenario = _base(choice, uploaded or {})
        values = [get_parameter(scenario, control.name) for control in CONTROLS]
        return (*values, scenario.behaviour.rule, scenario.months)

    @app.callback(Output("current-job", "data"), Output("previous-job", "data"), Output("tick", "disabled"),
                  Output("error", "children"),
                  Input("run", "n_clicks"),
                  State("scenario", "value"), State("uploaded", "data"),
                  *[State(_slider_id(control.name), "value") for control in CONTROLS],
                  State("rule", "value"), State("months", "value"), State("scale", "value"), State("seed", "value"),
                  State("replications", "value"), State("current-job", "data"), prevent_initial_call=True)
    def start_run(_, choice, uploaded, *rest):
        *values, rule, months, scale, seed, replications, current = rest
        try:
            overrides = {control.name: value for control, value in zip(CONTROLS, values) if value is not None}
            overrides["behaviour.rule"] = rule
            months, scale, seed = page_numbers(months, scale, seed)
            replications = page_replications(replications)
            scenario = build(_base(choice, uploaded or {}), overrides, scale, months)
            job = queue.submit(scenario, seed, replications, scale)
        except (ScenarioError, Busy, ValueError) as exc:
            return no_update, no_update, no_update, "error: " + str(exc)
        return job.id, current, False, ""

    figures = [Output(panel.id, "figure") for panel in PANELS]
    unchanged = (no_update,) * (len(PANELS) + 2)       # the figures, the table and the note

    @app.callback(Output("progress", "value"), Output("progress", "max"), Output("status", "children"),
                  *figures, Output("headline", "children"), Output("scale-note", "children"),
                  Output("tick", "disabled", allow_duplicate=True),
                  Input("tick", "n_intervals"), State("current-job", "data"), State("previous-job", "data"),
                  prevent_initial_call=True)
    def follow_run(_, current_id, previous_id):
        job = queue.get(current_id)
        if job is None:
            return "0", "1", "the run is no longer kept on the server; run again", *unchanged, True
        if not job.finished:
            if job.status == "queued":
                state = "waiting for a free worker"
            else:
                replication = min(job.done_months // job.months + 1, job.replications)
                state = f"month {job.done_months - (replication - 1) * job.months} of {job.months}" + (
                    f", replication {replication} of {job.replications}" if job.replications > 1 else "")
            return (str(job.done_months), str(job.total_months), f"running {job.name}: {state}", *unchanged, False)
        if job.status == "failed":
            return "0", "1", f"the run failed: {job.error}", *unchanged, True
        previous = queue.get(previous_id)
        previous = previous if previous is not None and previous.status == "done" else None
        runs = "" if job.replications == 1 else f" × {job.replications} replications"
        return (str(job.total_months), str(job.total_months),
                f"done: {job.name}, {job.months} months{runs} in {job.seconds:.1f} s",
                *[panel_figure(panel, job, previous) for panel in PANELS],
                _headline_rows(job, previous), _scale_sentence(job), True)

    @app.callback(Output("download", "data"), Input("download-monthly", "n_clicks"),
                  Input("download-reviews", "n_clicks"), Input("download-scenario", "n_clicks"),
                  State("current-job", "data"), prevent_initial_call=True)
    def download(_, __, ___, current_id):
        job = queue.get(current_id)
        if job is None or job.status != "done":
            return no_update
        if ctx.triggered_id == "download-scenario":
            return {"content": to_toml(job.scenario), "filename": f"{job.name}.toml"}
        table = job.monthly if ctx.triggered_id == "download-monthly" else job.reviews
        kind = "monthly" if ctx.triggered_id == "download-monthly" else "reviews"
        return {"content": table.to_pandas().to_csv(index=False), "filename": f"{job.name}-{kind}.csv"}


def _headline_rows(job, previous) -> list:
    now = headline(job)
    before = headline(previous) if previous is not None else {}
    rows = [html.Tr([html.Th("figure, for the full system"), html.Th(f"this run: {job.name}"),
                     html.Th(f"previous: {previous.name}" if previous is not None else "previous run"),
                     html.Th("change")])]
    for name, value in now.items():
        old = before.get(name)
        points = " points" if name.endswith("%") else ""       # a change of a share is in percentage points
        change = "" if old is None or not (math.isfinite(old) and math.isfinite(value)) else f"{value - old:+,.2f}{points}"
        rows.append(html.Tr([html.Td(name), html.Td(f"{value:,.2f}", id=f"now-{_key(name)}"),
                             html.Td("" if old is None else f"{old:,.2f}"), html.Td(change)]))
    return rows


def _key(name: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in name.split(",")[0]).strip("-")


def serve(host: str = "127.0.0.1", port: int = 8050, workers: int | None = None, keep_seconds: float = 900.0,
          allow_hosts: tuple[str, ...] = (), max_threads: int = MAX_REQUEST_THREADS) -> None:
    """Start the dashboard's web server (blocking): requests must name ``host``, a loopback
    name or one of ``allow_hosts``; at most ``max_threads`` are served at once."""
    app = create_app(JobQueue(workers, keep_seconds=keep_seconds), hosts=served_hosts(host, allow_hosts))
    server = make_server(host, port, app.server, max_threads)
    try:
        server.serve_forever()
    finally:
        server.server_close()
