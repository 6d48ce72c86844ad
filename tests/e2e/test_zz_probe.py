import json
from tests.e2e.conftest import visit
from tests.e2e.test_accessibility import AXE, AXE_OPTIONS, PAGES

def test_probe(new_context):
    page = new_context().new_page()
    visit(page, "/rankings")
    try:
        page.add_script_tag(path=str(AXE))
        print("no bypass: injected; axe defined:", page.evaluate("typeof axe"))
    except Exception as e:
        print("no bypass: error", type(e).__name__, str(e)[:300])
    ctx = new_context(bypass_csp=True)
    for name, url in PAGES.items():
      for lang in ("ru","en"):
        p = ctx.new_page()
        visit(p, f"{url}{'&' if '?' in url else '?'}lang={lang}")
        p.add_script_tag(path=str(AXE))
        opts = dict(AXE_OPTIONS); opts.pop("resultTypes")
        r = p.evaluate("async o => { const r = await axe.run(document, o); return {v: r.violations.length, p: r.passes.length, i: r.incomplete.map(x => [x.id, x.impact, x.nodes.length, x.nodes.slice(0,2).map(n=>n.target.join(' ')+' :: '+(n.any.concat(n.all,n.none).map(c=>c.message).join('|')))])} }", opts)
        print(name, lang, "violations", r["v"], "passes", r["p"])
        for x in r["i"]: print("   incomplete", x)
        p.close()
    p = ctx.new_page()
    p.set_content('<html lang="en"><head><title>t</title></head><body><main><img src="data:,"><a href="#"></a></main></body></html>')
    p.add_script_tag(path=str(AXE))
    print("control", [v["id"] for v in p.evaluate("async o => (await axe.run(document, o)).violations", AXE_OPTIONS)])
