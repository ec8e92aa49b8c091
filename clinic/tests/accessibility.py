"""axe-core in every browser test: each page a test loads is checked against WCAG 2.2 AA.

`page_at` (clinic/tests/browser.py) hands every page it opens to `AxeWatch`. The watch marks the
page unchecked whenever a document finishes loading, and checks it:

- right after `page.goto`, `reload`, `go_back` and `go_forward`, and before the next one;
- before the test's next action or auto-waiting assertion on the page, through Playwright's
  locator handler, which runs while the action waits: so a page reached by a click or a form
  post is checked as it loaded, before the test changes it;
- once more when the test ends, if the page changed since, so an open menu, a dialog or the
  errors a form shows are checked too.

Violations of the WCAG 2.0, 2.1 and 2.2 A and AA rules fail the test at its end, naming the
page, the width, the rule and the elements. Nothing is disabled: a page that fails is fixed.

axe is vendored from the npm package (static/vendor/axe-core-*/, MPL-2.0) and run with
`page.evaluate`. Playwright evaluates through the DevTools protocol, which the page's
Content-Security-Policy does not govern, so axe runs under the real CSP (`script-src 'self'`)
without an inline `<script>` (which the CSP would refuse) and without turning the CSP off for
the test (`bypass_csp`), which would hide a page that only works without it.
"""

from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Error as PlaywrightError

ROOT = Path(__file__).resolve().parents[2]
(AXE_FILE,) = ROOT.glob("static/vendor/axe-core-*/axe.min.js")
AXE_SOURCE = AXE_FILE.read_text()
WCAG_AA_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")

# Parts of a page that Rebound does not draw, checked by their makers rather than here.
# Swagger UI renders the API documentation's operations itself (nested buttons in its
# collapsible rows); the page around it, its language and title, is Rebound's and is checked.
NOT_OURS = ("#swagger-ui",)
# Django's own admin (for superusers, drawn by Django's templates and scripts) is not checked: it
# is not a page clinic users work in, and its scripts set style attributes while axe measures the
# page, which the CSP refuses (console errors that would fail the admin's own CSP test).
NOT_OUR_PATHS = ("/admin/",)

RUN_AXE = """
async ([tags, exclude]) => {
  if (document.contentType !== 'text/html' || !location.protocol.startsWith('http')) return null;
  window.reboundAxeSawPage = document.documentElement.outerHTML;
  const context = {include: [document], exclude: exclude.map(selector => [selector])};
  const options = {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']};
  const results = await axe.run(context, options);
  return results.violations.map(violation => ({
    id: violation.id,
    help: violation.help,
    nodes: violation.nodes.map(node => ({
      target: node.target.join(' '),
      html: node.html.slice(0, 200),
      summary: node.failureSummary,
    })),
  }));
}
"""

CHANGED_SINCE_CHECKED = (
    "() => document.contentType === 'text/html' && location.protocol.startsWith('http')"
    " && window.reboundAxeSawPage !== document.documentElement.outerHTML"
)


class AxeWatch:
    """Checks each document a page loads, as described in the module's docstring."""

    def __init__(self, page, width: int):
        self.page = page
        self.width = width
        self.unchecked = False
        self.violations: list[str] = []
        page.on("load", self._loaded)
        page.add_locator_handler(page.locator("html"), self._before_action, no_wait_after=True)
        for name in ("goto", "reload", "go_back", "go_forward"):
            setattr(page, name, self._navigating(getattr(page, name)))

    def _loaded(self, _page) -> None:
        self.unchecked = True

    def _before_action(self, _locator) -> None:
        if self.unchecked:
            self.check()

    def _navigating(self, navigate):
        def navigate_then_check(*args, **kwargs):
            if self.unchecked:
                self.check()
            response = navigate(*args, **kwargs)
            if self.unchecked:
                self.check()
            return response

        return navigate_then_check

    def finish(self) -> list[str]:
        """Check the page as the test leaves it (if it changed), and return every violation."""
        page = self.page
        if page.is_closed():
            return self.violations
        try:
            changed = page.evaluate(CHANGED_SINCE_CHECKED)
        except PlaywrightError:  # still navigating: check where it lands
            page.wait_for_load_state()
            changed = True
        if self.unchecked or changed:
            self.check()
        return self.violations

    def check(self) -> None:
        """Run axe on the document the page shows now and record what it finds."""
        self.unchecked = False
        page = self.page
        if urlsplit(page.url).path.startswith(NOT_OUR_PATHS):
            return
        try:
            if page.evaluate("() => typeof window.axe === 'undefined'"):
                page.evaluate(AXE_SOURCE)
            found = page.evaluate(RUN_AXE, [list(WCAG_AA_TAGS), list(NOT_OURS)])
        except PlaywrightError as error:
            if "context was destroyed" not in str(error):
                raise
            # The page moved on while axe ran: the next document is checked in its turn.
            self.unchecked = True
            return
        for violation in found or ():
            nodes = "\n".join(
                f"    {node['target']}: {node['html']}\n      "
                + node["summary"].replace("\n", "\n      ")
                for node in violation["nodes"]
            )
            self.violations.append(
                f"{page.url} at {self.width} px: {violation['id']} ({violation['help']})\n{nodes}"
            )
