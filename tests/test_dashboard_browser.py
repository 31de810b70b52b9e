"""The dashboard used as a person would: in headless Chromium (Debian's, driven by Playwright).

Pick a scenario, move a parameter, run, watch it finish, see the trajectories and the
comparison with the previous run, download what produced them; upload a bad file and
read the same located error the command line gives; ask for more than the caps allow.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

import pytest
from dashboard_server import CHROMIUM, dashboard, require_chromium

import quotasim
from quotasim.dashboard.figures import PANELS, PREVIOUS_COLOUR, THIS_RUN_COLOUR
from quotasim.dashboard.scenarios import MAX_UPLOAD_BYTES

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server():
    with dashboard("--workers", "2") as (url, _, _):
        yield url


@pytest.fixture
def page(server):
    require_chromium()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1500, "height": 1200}, accept_downloads=True)
        page.goto(server)
        page.wait_for_selector("#param-ratchet-up_rate input[type=number]")
        yield page
        browser.close()


def _set_number(page, selector: str, value: str) -> None:
    field = page.locator(selector)
    field.fill(value)
    field.press("Tab")          # the value is taken when the field loses focus


def _run_and_wait(page, previous: bool = False, timeout: float = 120_000) -> None:
    """Click Run; wait until every panel draws this run (and, when ``previous``, the previous one)."""
    page.click("#run")
    names = "['this run: ', 'previous: ']" if previous else "['this run: ']"
    page.wait_for_function(f"""(() => {{ const plots = [...document.querySelectorAll('#results .js-plotly-plot')];
        return plots.length > 0 && plots.every(p => {names}.every(
            start => (p.data || []).some(t => (t.name || '').startsWith(start))))
            && document.querySelector('#status').innerText.startsWith('done'); }})()""", timeout=timeout)
    assert page.inner_text("#status").startswith("done"), page.inner_text("#status")


def _panels(page) -> list[dict]:
    """What each panel shows, from Plotly's own data on the page: its title, axis titles, legend
    entries, and per trace its name, number of points and largest value."""
    return page.evaluate("""(() => [...document.querySelectorAll('#results .js-plotly-plot')].map(plot => ({
        id: plot.parentElement.id || plot.closest('[id]').id,
        title: plot.layout.title.text, x: plot.layout.xaxis.title.text, y: plot.layout.yaxis.title.text,
        rangemode: plot.layout.yaxis.rangemode,
        legend: plot._fullData.filter(t => t.showlegend !== false)
            .sort((a, b) => a.legendrank - b.legendrank).map(t => t.name),      // as the legend lists them
        traces: plot._fullData.map((t, i) => ({name: t.name, n: plot.calcdata[i].length,
            max: Math.max(...plot.calcdata[i].map(p => p.y)), colour: t.line.color, dash: t.line.dash})),
    })))()""")


def _state_receipts(page) -> float:
    return float(page.inner_text("#now-state-receipts").replace(",", ""))


def test_change_a_parameter_run_and_compare_with_the_previous_run(page, tmp_path):
    page.get_by_text("sanctions-2017", exact=True).click()
    page.wait_for_function("document.querySelector('#months').value == '48'")   # the scenario's months came in
    _set_number(page, "#scale", "0.05")
    _set_number(page, "#months", "36")
    _set_number(page, "#replications", "3")
    _run_and_wait(page)
    first = _panels(page)
    assert len(first) == len(PANELS) and [panel["id"] for panel in first] == [panel.id for panel in PANELS]
    for panel in first:     # one quantity a panel: its own title, axis titles and legend
        assert panel["x"] == "date" and panel["y"] and panel["rangemode"] == "tozero"
        assert "scaled to the full system from a 5 % population (×20)" in panel["title"]
        assert panel["legend"] == ["this run: middle 90 % of replications (3)",
                                   "this run: sanctions-2017, mean of 3 replications"], panel
        assert all(trace["n"] == 36 for trace in panel["traces"])
    by_id = {panel["id"]: panel for panel in first}
    receipts_panel = by_id["panel-state-receipts-usd"]
    assert receipts_panel["title"].startswith("state receipts<br>") and receipts_panel["y"] == "USD M per year"
    assert receipts_panel["traces"][-1]["max"] > 100          # the full system: hundreds of millions a year
    recalled = by_id["panel-recalled"]
    assert recalled["y"] == "persons since the start"
    assert "USD" not in by_id["panel-recalled"]["y"] and by_id["panel-pipeline-backlog"]["y"] == "deals"
    receipts = _state_receipts(page)
    assert receipts > 100, receipts                            # USD M a year for the full system, not a twentieth
    assert "scaled to the full system from a 5 % population" in page.inner_text("#scale-note")

    _set_number(page, "#param-ratchet-up_rate input[type=number]", "1")      # move the ratchet all the way up
    _set_number(page, "#param-unconditional_demands-raise_all input[type=number]", "0.1")
    _set_number(page, "#replications", "1")
    _run_and_wait(page, previous=True)
    for panel in _panels(page):
        assert panel["legend"] == ["previous: sanctions-2017, mean of 3 replications", "this run: sanctions-2017"]
        current, previous = panel["traces"]        # the previous run drawn last, on top
        assert previous["name"].startswith("previous: ") and current["name"].startswith("this run: ")
        assert previous["dash"] == "dash" and previous["colour"] == PREVIOUS_COLOUR
        assert current["dash"] == "solid" and current["colour"] == THIS_RUN_COLOUR
    assert _state_receipts(page) != receipts
    assert page.locator("#headline th").nth(2).inner_text() == "previous: sanctions-2017"
    previous_column = page.locator("#headline tr").nth(1).locator("td").nth(2).inner_text()
    attainment = page.locator("#headline tr").filter(has_text="median attainment, %").locator("td")
    assert attainment.nth(3).inner_text().endswith(" points")          # a change of a share
    assert float(previous_column.replace(",", "")) == pytest.approx(receipts, abs=0.01)

    with page.expect_download() as waiting:
        page.click("#download-scenario")
    scenario_file = tmp_path / "downloaded.toml"
    waiting.value.save_as(scenario_file)
    data = tomllib.loads(scenario_file.read_text())
    assert data["ratchet"]["up_rate"] == 1.0 and data["months"] == 36
    assert quotasim.load_scenario(scenario_file).name == "sanctions-2017"     # it loads back as it ran
    with page.expect_download() as waiting:
        page.click("#download-monthly")
    monthly = tmp_path / "monthly.csv"
    waiting.value.save_as(monthly)
    assert len(monthly.read_text().strip().splitlines()) == 1 + 36

def test_a_bad_upload_shows_the_command_lines_located_error(page, tmp_path):
    bad = tmp_path / "my-scenario.toml"
    bad.write_text('extends = "baseline"\nmonths = 0\n[ratchet]\nup_rate = 2.5\n')
    with pytest.raises(quotasim.ScenarioError) as cli_error:
        quotasim.load_scenario(bad)
    page.set_input_files("#upload input[type=file]", str(bad))
    page.wait_for_function("document.querySelector('#upload-message').innerText.includes('error')")
    shown = page.inner_text("#upload-message")
    cli_lines = [line.strip().replace(str(bad), "my-scenario.toml") for line in str(cli_error.value).splitlines()]
    for line in cli_lines:
        assert line in shown, (line, shown)
    assert "ratchet.up_rate" in shown and "months" in shown


def test_a_good_upload_is_offered_and_selected(page, tmp_path):
    good = tmp_path / "closure-study.toml"
    good.write_text('extends = "border-closure-2020"\nname = "closure-study"\nmonths = 30\n')
    page.set_input_files("#upload input[type=file]", str(good))
    page.wait_for_function("document.querySelector('#upload-message').innerText.startsWith('loaded')")
    assert page.get_by_text("uploaded: closure-study.toml").is_visible()
    page.wait_for_function("document.querySelector('#months').value == '30'")


_DROP = """([name, text, padding]) => {
    const file = new File([text + "#".repeat(padding)], name, {type: "application/toml"});
    const transfer = new DataTransfer();
    transfer.items.add(file);
    const zone = document.querySelector("#upload > div") || document.querySelector("#upload");
    for (const kind of ["dragenter", "dragover", "drop"]) {
        zone.dispatchEvent(new DragEvent(kind, {bubbles: true, cancelable: true, dataTransfer: transfer}));
    }
    return file.size;
}"""


def test_files_dropped_on_the_upload_area_are_loaded_or_refused_like_chosen_ones(page):
    """Dragging a file onto the area is the other way in: a good file loads, one over the
    limit gets the same message as when chosen."""
    page.evaluate(_DROP, ["dropped-study.toml", 'extends = "baseline"\nname = "dropped-study"\nmonths = 18\n', 0])
    page.wait_for_function("document.querySelector('#upload-message').innerText.startsWith('loaded')")
    page.wait_for_function("document.querySelector('#months').value == '18'")
    size = page.evaluate(_DROP, ["dropped-huge.toml", 'extends = "baseline"\n', MAX_UPLOAD_BYTES + 1])
    page.wait_for_function("document.querySelector('#upload-message').innerText.includes('error')")
    shown = page.inner_text("#upload-message")
    assert f"dropped-huge.toml: {size:,} bytes" in shown and f"up to {MAX_UPLOAD_BYTES:,} bytes" in shown
    assert not page.get_by_text("uploaded: dropped-huge.toml").count()


def test_an_oversize_upload_is_refused_with_a_message(page, tmp_path):
    """The browser itself drops a file over the limit (nothing reaches the server); the page
    must still say why, and a good file afterwards must load as usual."""
    big = tmp_path / "huge-study.toml"
    big.write_text('extends = "baseline"\n' + "# padding\n" * (MAX_UPLOAD_BYTES // 10 + 1))
    page.set_input_files("#upload input[type=file]", str(big))
    page.wait_for_function("document.querySelector('#upload-message').innerText.includes('error')")
    shown = page.inner_text("#upload-message")
    assert f"huge-study.toml: {big.stat().st_size:,} bytes" in shown and f"up to {MAX_UPLOAD_BYTES:,} bytes" in shown
    assert not page.get_by_text("uploaded: huge-study.toml").count()          # not offered as a scenario

    good = tmp_path / "small-study.toml"
    good.write_text('extends = "baseline"\nname = "small-study"\nmonths = 24\n')
    page.set_input_files("#upload input[type=file]", str(good))
    page.wait_for_function("document.querySelector('#upload-message').innerText.startsWith('loaded')")
    page.wait_for_function("document.querySelector('#months').value == '24'")


def test_runs_beyond_the_caps_are_refused_with_a_message(page):
    _set_number(page, "#scale", "5")          # the baseline five times over: 511,250 people
    page.click("#run")
    page.wait_for_function("document.querySelector('#error').innerText.length > 0")
    assert re.search(r"at most 250,000 officials and workers", page.inner_text("#error"))
    _set_number(page, "#scale", "0.05")
    _set_number(page, "#months", "600")
    page.click("#run")
    page.wait_for_function("document.querySelector('#error').innerText.includes('months')")
    assert "1 to 240 months" in page.inner_text("#error")
    _set_number(page, "#months", "12")
    _set_number(page, "#seed", "-3")          # the browser sends no value: refused, never run as seed 0
    page.click("#run")
    page.wait_for_function("document.querySelector('#error').innerText.includes('seed')")
    assert "dashboard: seed" in page.inner_text("#error") and "months" not in page.inner_text("#error")
    _set_number(page, "#seed", "0")
    _set_number(page, "#replications", "9")
    page.click("#run")
    page.wait_for_function("document.querySelector('#error').innerText.includes('replications')")
    assert "1 to 8 here" in page.inner_text("#error")
    assert page.inner_text("#status") == "no run yet"


def test_controls_and_results_are_side_by_side(page):
    """The Run button is in view at the top of the page, left of the results, and stays in view
    while the results scroll."""
    viewport = page.viewport_size
    run = page.locator("#run").bounding_box()
    results = page.locator("#results").bounding_box()
    assert run["y"] + run["height"] < viewport["height"] / 2, run
    assert run["x"] + run["width"] <= results["x"] and results["y"] < viewport["height"] / 4, (run, results)
    page.wait_for_function(f"document.querySelectorAll('#results .js-plotly-plot').length == {len(PANELS)}")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")          # down to the last panel
    page.wait_for_function("window.scrollY > 0")
    last = page.locator(f"#{PANELS[-1].id}").bounding_box()
    assert last["y"] < viewport["height"], last
    run = page.locator("#run").bounding_box()
    assert 0 <= run["y"] and run["y"] + run["height"] < viewport["height"], run


def test_screenshot_for_the_docs(server, tmp_path):
    """A replicated run compared with the previous one, as in docs/dashboard.md (written there
    when QUOTASIM_SCREENSHOT is set, else into a temporary folder)."""
    require_chromium()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1900})
            page.goto(server)
            page.wait_for_selector("#param-ratchet-up_rate input[type=number]")
            _set_number(page, "#months", "60")
            _set_number(page, "#replications", "4")
            _run_and_wait(page, timeout=300_000)
            _set_number(page, "#param-rumour_recall-rate input[type=number]", "0.1")
            _run_and_wait(page, previous=True, timeout=300_000)
            docs = Path(__file__).resolve().parents[1] / "docs" / "figures" / "dashboard.png"
            target = docs if os.environ.get("QUOTASIM_SCREENSHOT") else tmp_path / "dashboard.png"
            page.screenshot(path=str(target))
            assert target.stat().st_size > 50_000
        finally:
            browser.close()


def test_a_foreign_host_is_refused_and_nothing_on_disk_is_disclosed(server, tmp_path):
    """DNS rebinding as a browser lives it: ``attacker.example`` resolves to this machine, and
    its page (from the same foreign host) tries the dashboard. Then, from the dashboard's own
    page: an upload extending a server file, and a forged callback naming that file."""
    require_chromium()
    from playwright.sync_api import sync_playwright
    secret = tmp_path / "server-secret.toml"
    secret.write_text('api_token = "SECRET-TOKEN-1234567890"\n')
    port = server.rsplit(":", 1)[1].strip("/")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--host-resolver-rules=MAP attacker.example 127.0.0.1"])
        try:
            page = browser.new_page()
            answer = page.goto(f"http://attacker.example:{port}/")
            assert answer.status == 403 and "does not serve the host" in page.content()
            posted = page.evaluate("""async () => { const r = await fetch('/_dash-update-component',
                {method: 'POST', headers: {'Content-Type': 'application/json'}, body: '{}'});
                return [r.status, await r.text()]; }""")
            assert posted[0] == 403

            page.goto(server)
            page.wait_for_selector("#param-ratchet-up_rate input[type=number]")
            upload = tmp_path / "innocent.toml"
            upload.write_text(f'extends = "{secret}"\n')
            page.set_input_files("#upload input[type=file]", str(upload))
            page.wait_for_function("document.querySelector('#upload-message').innerText.includes('error')")
            shown = page.inner_text("#upload-message")
            assert "may not extend files on the server" in shown and "SECRET" not in page.content()
            forged = page.evaluate("""async (path) => {
                const deps = await (await fetch('/_dash-dependencies')).json();
                const cb = deps.find(c => c.inputs.some(i => i.id === 'scenario' && i.property === 'value'));
                const outputs = cb.output.replace(/^\\.\\./, '').replace(/\\.\\.$/, '').split('...').map(o => {
                    const [id, property] = o.split('.'); return {id, property}; });
                const body = {output: cb.output, outputs, changedPropIds: ['scenario.value'],
                    inputs: [{id: 'scenario', property: 'value', value: path}],
                    state: [{id: 'uploaded', property: 'data', value: {}}]};
                const r = await fetch('/_dash-update-component', {method: 'POST',
                    headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)});
                return [r.status, await r.text()]; }""", str(secret))
            assert forged[0] == 400 and "not a scenario this page offers" in forged[1]
            assert "SECRET" not in forged[1]
        finally:
            browser.close()
