"""Write sales_process_mgmt/static/description/index.html from the readme/ fragments.

The page Odoo's Apps screen shows for the module, laid out as OCA's oca-gen-addon-readme
lays it out (title, summary, description, contents, configuration, usage, roadmap,
credits). The fragments use the Markdown that OCA's templates use: paragraphs, "- " lists
(continuation lines indented), **strong**, *emphasis*, `code` and [links](url).

Usage: python3 scripts/gen_addon_readme.py [--check]   (--check: fail if index.html is stale)
"""

import ast
import html
import re
import sys
from pathlib import Path

ADDON = Path(__file__).resolve().parent.parent / "sales_process_mgmt"
INDEX = ADDON / "static" / "description" / "index.html"
# fragment, section title (None: at the top, untitled), as OCA orders them
SECTIONS = [
    ("DESCRIPTION.md", None),
    ("CONFIGURE.md", "Configuration"),
    ("USAGE.md", "Usage"),
    ("ROADMAP.md", "Known issues / Roadmap"),
]
CREDITS = [("Authors", None), ("Contributors", "CONTRIBUTORS.md")]
STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK SC", sans-serif;
       color: #212529; line-height: 1.5; margin: 0; }
.document { max-width: 60em; margin: 0 auto; padding: 1em 2em; }
h1.title { color: #714b67; font-size: 2em; margin-bottom: 0.2em; }
h1 { font-size: 1.5em; border-bottom: 1px solid #dee2e6; padding-bottom: 0.2em; margin-top: 1.5em; }
h2 { font-size: 1.2em; margin-top: 1.2em; }
p.summary { font-size: 1.1em; color: #495057; }
.badges span { display: inline-block; background: #714b67; color: #fff; border-radius: 3px;
               padding: 0 0.5em; margin-right: 0.3em; font-size: 0.85em; }
code { background: #f1f3f5; padding: 0 0.2em; border-radius: 3px; }
.contents ul { list-style: none; padding-left: 1em; }
"""


def inline(text):
    """Markdown inline markup to HTML (the text is escaped first)."""
    text = html.escape(text, quote=False)
    text = re.sub(r"`([^`]+)`", r"<code>\1</code>", text)
    text = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", text)
    text = re.sub(r"(?<![\w*])\*([^*\s][^*]*)\*(?![\w*])", r"<em>\1</em>", text)
    text = re.sub(r"\[([^\]]+)\]\(([^)\s]+)\)", r'<a href="\2">\1</a>', text)
    return text


def blocks(markdown):
    """Split a fragment into ('p', text) and ('ul', [item text, ...]) blocks."""
    result = []
    for chunk in re.split(r"\n\s*\n", markdown.strip()):
        lines = chunk.splitlines()
        if lines and lines[0].startswith("- "):
            items = []
            for line in lines:
                if line.startswith("- "):
                    items.append(line[2:].strip())
                else:
                    items[-1] += " " + line.strip()
            result.append(("ul", items))
        else:
            result.append(("p", " ".join(line.strip() for line in lines)))
    return result


def to_html(markdown, indent="    "):
    out = []
    for kind, content in blocks(markdown):
        if kind == "ul":
            out.append(f"{indent}<ul>")
            out.extend(f"{indent}  <li>{inline(item)}</li>" for item in content)
            out.append(f"{indent}</ul>")
        else:
            out.append(f"{indent}<p>{inline(content)}</p>")
    return "\n".join(out)


def slug(title):
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def render():
    manifest = ast.literal_eval((ADDON / "__manifest__.py").read_text(encoding="utf-8"))
    readme = ADDON / "readme"
    titled = [(name, title) for name, title in SECTIONS if title and (readme / name).is_file()]
    esc = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8" />',
        '<meta name="generator" content="scripts/gen_addon_readme.py" />',
        f"<title>{esc(manifest['name'])}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        '<div class="document">',
        "<!-- Generated from readme/*.md by scripts/gen_addon_readme.py: do not edit by hand. -->",
        f'<h1 class="title">{esc(manifest["name"])}</h1>',
        '<p class="badges">'
        f"<span>{esc(manifest['license'])}</span>"
        f"<span>{esc(manifest['category'])}</span>"
        "<span>Odoo 18.0</span></p>",
        f'<p class="summary">{esc(manifest["summary"])}</p>',
        to_html((readme / "DESCRIPTION.md").read_text(encoding="utf-8"), indent=""),
        '<div class="contents"><p><strong>Table of contents</strong></p>',
        "<ul>",
    ]
    parts += [f'  <li><a href="#{slug(title)}">{esc(title)}</a></li>' for __, title in titled]
    parts += [
        '  <li><a href="#credits">Credits</a><ul>',
        *(f'    <li><a href="#{slug(title)}">{title}</a></li>' for title, __ in CREDITS),
        "  </ul></li>",
        "</ul></div>",
    ]
    for name, title in titled:
        parts += [
            f'<div class="section" id="{slug(title)}">',
            f"  <h1>{esc(title)}</h1>",
            to_html((readme / name).read_text(encoding="utf-8")),
            "</div>",
        ]
    parts += [
        '<div class="section" id="credits">',
        "  <h1>Credits</h1>",
        '  <div class="section" id="authors">',
        "    <h2>Authors</h2>",
        "    <ul>",
        *(f"      <li>{esc(author.strip())}</li>" for author in manifest["author"].split(",")),
        "    </ul>",
        "  </div>",
        '  <div class="section" id="contributors">',
        "    <h2>Contributors</h2>",
        to_html((readme / "CONTRIBUTORS.md").read_text(encoding="utf-8"), indent="    "),
        "  </div>",
        "</div>",
        "</div>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(parts)


def main(argv):
    text = render()
    if "--check" in argv:
        if not INDEX.is_file() or INDEX.read_text(encoding="utf-8") != text:
            sys.exit(f"{INDEX} is not in step with readme/: run python3 scripts/gen_addon_readme.py")
        return
    INDEX.write_text(text, encoding="utf-8")
    print(f"wrote {INDEX}")


if __name__ == "__main__":
    main(sys.argv[1:])
