"""The documentation's structure keeps its promises, checked without building it.

CI runs these tests before it installs Sphinx, so they read the sources: the API
reference's templates, the configuration, the toctrees and the pages' claims.
"""

import ast
import importlib
import importlib.util
import re
import subprocess
import zlib
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10, where pytest itself depends on tomli
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
TEMPLATES = DOCS / "_templates"


def _autosummary_blocks(text: str) -> list[tuple[str, str, list[str]]]:
    """(current module, template, names) of each ``.. autosummary::`` of an rst page."""
    blocks = []
    module = None
    lines = text.splitlines()
    for number, line in enumerate(lines):
        if line.startswith(".. currentmodule::"):
            module = line.split("::")[1].strip()
        if line.strip() != ".. autosummary::":
            continue
        template, names = None, []
        for body in lines[number + 1 :]:
            if body and not body.startswith("   "):
                break
            option = re.fullmatch(r"\s+:template:\s*(\S+)", body)
            if option:
                template = option.group(1)
            elif body.strip() and not body.strip().startswith(":"):
                names.append(body.strip())
        blocks.append((module, template, names))
    return blocks


API_BLOCKS = _autosummary_blocks((DOCS / "api.rst").read_text())


def _conf_value(name: str):
    """A literal assigned in docs/conf.py, read without running it (it imports skae)."""
    tree = ast.parse((DOCS / "conf.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == name for target in node.targets
        ):
            return ast.literal_eval(node.value)
    raise LookupError(f"docs/conf.py assigns no {name}")


def test_api_reference_lists_every_name_with_a_template():
    assert API_BLOCKS, "docs/api.rst has no autosummary"
    for _, template, names in API_BLOCKS:
        assert template, f"an autosummary of {names} names no template"
        assert names, f"an autosummary with {template} lists no names"


@pytest.mark.parametrize("template", sorted({block[1] for block in API_BLOCKS}))
def test_api_templates_exist(template):
    # Sphinx looks a template up in templates_path and, failing that, silently uses
    # its own stub: a name that misses the file must fail here instead.
    assert _conf_value("templates_path") == ["_templates"]
    assert (TEMPLATES / template).is_file(), f"no docs/_templates/{template}"


def test_api_names_exist():
    for module, _, names in API_BLOCKS:
        imported = importlib.import_module(module)
        for name in names:
            assert hasattr(imported, name), f"{module}.{name} is in api.rst but not skae"


@pytest.mark.parametrize("name", ["class.rst", "function.rst", "exception.rst"])
def test_api_pages_are_titled_by_the_short_name(name):
    # The name, not the dotted path, which the theme clips on narrow screens.
    template = (TEMPLATES / "autosummary" / name).read_text()
    title = next(line for line in template.splitlines() if line.startswith("{{"))
    assert title.startswith("{{ objname | escape | underline")


def test_class_pages_have_a_methods_table_and_examples():
    template = (TEMPLATES / "autosummary" / "class.rst").read_text()
    assert ".. rubric:: Methods" in template
    assert re.search(r"\.\. autosummary::\n\s+:nosignatures:\n\s+\{% for", template)
    assert ".. minigallery::" in template


def test_function_pages_list_their_examples():
    assert ".. minigallery::" in (TEMPLATES / "autosummary" / "function.rst").read_text()


def test_gallery_records_the_examples_that_api_pages_list():
    gallery = _conf_value("sphinx_gallery_conf")
    assert gallery["doc_module"] == ("skae",)
    assert gallery["backreferences_dir"] == "generated/backreferences"


def test_api_pages_link_their_source():
    assert "sphinx.ext.viewcode" in _conf_value("extensions")


def _toctree_entries(page: Path) -> list[str]:
    """The documents a page's ``.. toctree::`` directives list."""
    entries, in_toctree = [], False
    for line in page.read_text().splitlines():
        if line.startswith(".. toctree::"):
            in_toctree = True
        elif in_toctree and line and not line.startswith(" "):
            in_toctree = False
        elif in_toctree and line.strip() and not line.strip().startswith(":"):
            entries.append(line.strip())
    return entries


def test_faq_is_in_the_table_of_contents():
    assert "faq" in _toctree_entries(DOCS / "index.rst")
    assert (DOCS / "faq.md").is_file()


def test_faq_gives_the_remedies_of_the_divergence_message():
    faq = (DOCS / "faq.md").read_text()
    message = re.search(
        r"raise TrainingDivergedError\((.*?)\n\s*\)",
        (ROOT / "skae" / "training.py").read_text(),
        re.S,
    ).group(1)
    for remedy in ["learning_rate", "StandardScaler", "loss='mse'"]:
        assert remedy in message
        assert remedy.replace("'", '"') in faq


def _list_table_rows(text: str, after: str) -> list[list[str]]:
    """The rows of the first ``.. list-table::`` after the line ``after``, as cells."""
    lines = text[text.index(after) :].splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith(".. list-table::"))
    rows = []
    for line in lines[start + 1 :]:
        if line and not line.startswith(" "):
            break
        if line.startswith("   * - "):
            rows.append([line[len("   * - ") :]])
        elif line.startswith("     - "):
            rows[-1].append(line[len("     - ") :])
        elif line.strip() and rows:
            rows[-1][-1] += " " + line.strip()
    return rows


def test_reducer_table_says_what_each_reducer_can_do():
    from sklearn.decomposition import PCA, KernelPCA
    from sklearn.manifold import TSNE

    from skae import AutoencoderReducer

    text = (DOCS / "user_guide" / "choosing.rst").read_text()
    header, *rows = _list_table_rows(text, "Which reducer for which job")
    assert header == ["Reducer", "Inverse", "New rows", "Nonlinear", "Typical use"]
    by_name = {row[0]: row for row in rows}
    classes = {
        "`~sklearn.decomposition.PCA`": PCA,
        "`~sklearn.decomposition.KernelPCA`": KernelPCA,
        "`~sklearn.manifold.TSNE`": TSNE,
        "`AutoencoderReducer` (dense, the default)": AutoencoderReducer,
    }
    for name, cls in classes.items():
        _, inverse, new_rows, _, _ = by_name[name]
        assert inverse.startswith("no") != hasattr(cls, "inverse_transform"), name
        assert new_rows.startswith("no") != hasattr(cls, "transform"), name
    for variant in ['``architecture="conv"``', "``variational=True``", "UMAP"]:
        assert any(row[0].startswith(variant) for row in rows), variant
    assert any("neighbour loss" in row[0] for row in rows)


PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def _pages() -> list[Path]:
    """README and the documentation pages as written (not what a build generates)."""
    tracked = subprocess.run(
        ["git", "ls-files", "docs", "README.md"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [ROOT / name for name in tracked if Path(name).suffix in {".rst", ".md"}]


def test_install_page_describes_every_extra():
    install = (DOCS / "install.rst").read_text()
    described = set(re.findall(r"^``([\w-]+)``$", install, re.M))
    declared = set(PYPROJECT["project"]["optional-dependencies"])
    # test-backends pins what CI installs; it is not for users.
    assert described == declared - {"test-backends"}


def test_pages_install_only_declared_extras():
    declared = set(PYPROJECT["project"]["optional-dependencies"])
    named = {}
    for page in _pages():
        for extras in re.findall(r"(?:skae|\.|\.whl)\[([\w,-]+)\]", page.read_text()):
            for extra in extras.split(","):
                named.setdefault(extra, []).append(page.name)
    assert {"jax", "torch", "dask", "docs", "test"} <= set(named)  # the pattern finds them
    unknown = {extra: pages for extra, pages in named.items() if extra not in declared}
    assert not unknown, f"pages install extras that pyproject.toml lacks: {unknown}"


def test_install_page_names_the_wheel_of_this_version():
    version = PYPROJECT["project"]["version"]
    wheels = re.findall(
        r"skae-([\w.]+)-py3-none-any\.whl", (DOCS / "install.rst").read_text()
    )
    assert wheels and set(wheels) == {version}


# A measured figure, as pages quote them: a decimal with three or more decimals (an
# error, a score) or a decimal followed by a unit of time or memory, or a percentage.
# Parameter values (noise=0.3, 1e-3), versions (0.1.0) and counts are not figures.
_UNIT = r"(?:s|ms|seconds|minutes|[KMG]i?B|%)"
_FIGURE = re.compile(rf"(?<![\w.=])(\d+\.\d{{3,}}|\d+\.\d+(?=\s?{_UNIT}(?!\w)))(?!\w|\.\d)")


def _result_numbers() -> set[str]:
    """Every number written in a file under benchmarks/results/, as written."""
    files = (ROOT / "benchmarks" / "results").rglob("*")
    suffixes = {".md", ".txt", ".csv", ".json"}
    text = "\n".join(path.read_text() for path in files if path.suffix in suffixes)
    return set(re.findall(r"\d+(?:\.\d+)?", text))


def test_figure_pattern_finds_measurements_not_parameters():
    text = (
        "MSE 0.0352 in 12.4 s, 3.5 ms, 22.6 MB, 0.93 GiB, 2.5 %; noise=0.3, 1e-3, 0.1 "
        "and version 0.1.0; 0.951; 4.5 Mbit."
    )
    assert _FIGURE.findall(text) == [
        "0.0352",
        "12.4",
        "3.5",
        "22.6",
        "0.93",
        "2.5",
        "0.951",
    ]


def test_pages_quote_only_figures_that_results_files_hold():
    # Figures are included from the files the benchmarks write, never typed: a typed
    # one goes stale when the benchmark reruns.
    pages = _pages()
    assert len(pages) > 10, "no documentation pages found"
    held = _result_numbers()
    unheld = {}
    for page in pages:
        figures = sorted(set(_FIGURE.findall(page.read_text())) - held)
        if figures:
            unheld[str(page.relative_to(ROOT))] = figures
    assert not unheld, f"pages quote figures that no results file holds: {unheld}"


# -- The example gallery and the pages' figures ------------------------------------------

EXAMPLES = DOCS / "examples"
GALLERY_SECTIONS = sorted(
    path
    for path in EXAMPLES.iterdir()
    if path.is_dir() and not path.name.startswith((".", "_"))
)
EXAMPLE_FILES = sorted(EXAMPLES.rglob("plot_*.py"))


def test_gallery_is_in_sections_each_with_a_header():
    # sphinx-gallery makes a section of a subfolder only when it has a header.
    assert len(GALLERY_SECTIONS) >= 5
    assert (EXAMPLES / "GALLERY_HEADER.rst").is_file()
    for section in GALLERY_SECTIONS:
        header = section / "GALLERY_HEADER.rst"
        assert header.is_file(), f"docs/examples/{section.name} has no GALLERY_HEADER.rst"
        title = header.read_text().splitlines()
        assert any(set(line) == {"="} for line in title), f"{header} has no title"
        assert list(section.glob("plot_*.py")), f"docs/examples/{section.name} is empty"
    loose = [path.name for path in EXAMPLES.glob("plot_*.py")]
    assert not loose, f"examples outside any section: {loose}"


def test_gallery_orders_every_section():
    order = _conf_value("sphinx_gallery_conf")["subsection_order"]
    assert sorted(order) == sorted(f"examples/{path.name}" for path in GALLERY_SECTIONS)


def test_examples_have_a_titled_docstring():
    for example in EXAMPLE_FILES:
        docstring = ast.get_docstring(ast.parse(example.read_text()))
        assert docstring, f"{example.name} has no docstring (sphinx-gallery's title)"
        lines = docstring.strip().splitlines()
        assert set(lines[0]) == {"="} and set(lines[2]) == {"="}, example.name


# Paths into a checkout of the project, which a downloaded example does not have.
_REPOSITORY_PATHS = re.compile(r"\.\./shared|shared/data|benchmarks/|/work/|__file__")


@pytest.mark.parametrize(
    "script",
    EXAMPLE_FILES + sorted((DOCS / "figures").glob("*.py")),
    ids=lambda path: str(path.relative_to(DOCS)),
)
def test_examples_and_figures_load_data_through_skae_datasets(script):
    text = script.read_text()
    found = _REPOSITORY_PATHS.findall(text)
    assert not found, f"{script.name} reads repository paths: {found}"
    if script.parent.parent == EXAMPLES:
        assert "from skae.datasets import" in text, f"{script.name} loads no data"


def test_references_to_examples_name_existing_examples():
    # sphinx-gallery's label of docs/examples/SECTION/NAME.py.
    labels = {
        "sphx_glr_auto_examples_" + "_".join(path.relative_to(EXAMPLES).parts)
        for path in EXAMPLE_FILES
    }
    named = {}
    for page in _pages() + sorted((ROOT / "skae").rglob("*.py")):
        for label in re.findall(r"sphx_glr_\w+\.py", page.read_text()):
            named.setdefault(label, []).append(page.name)
    assert named, "no page refers to an example"
    unknown = {label: pages for label, pages in named.items() if label not in labels}
    assert not unknown, f"references to examples that do not exist: {unknown}"


# Directives that read a file: the file must exist where Sphinx looks for it.
_RST_FILE_DIRECTIVE = re.compile(
    r"^\s*\.\. (plot|figure|image|literalinclude|include)::\s+(\S+)", re.M
)
_MD_FILE_DIRECTIVE = re.compile(
    r"^```\{(plot|figure|image|literalinclude|include)\}\s+(\S+)", re.M
)
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")
_BENCHMARK_REPORT = re.compile(r"<!--\s*benchmark-report:\s*(\S+)")


def _files_pages_read(page: Path) -> list[tuple[str, Path]]:
    """(what reads it, path) of every file a page's directives and images read."""
    text = page.read_text()
    pattern = _RST_FILE_DIRECTIVE if page.suffix == ".rst" else _MD_FILE_DIRECTIVE
    found = []
    for directive, target in pattern.findall(text):
        # The plot directive reads from the source folder; "/" starts there too.
        if directive == "plot" or target.startswith("/"):
            found.append((directive, DOCS / target.lstrip("/")))
        else:
            found.append((directive, page.parent / target))
    for target in _MD_IMAGE.findall(text) + _BENCHMARK_REPORT.findall(text):
        if "://" not in target:
            found.append(("image or report", page.parent / target))
    return found


def test_pages_read_only_files_that_exist():
    read = [(page, *entry) for page in _pages() for entry in _files_pages_read(page)]
    assert any(directive == "plot" for _, directive, _ in read), "no page has a figure"
    missing = [
        f"{page.relative_to(ROOT)}: {directive} {path}"
        for page, directive, path in read
        if not path.resolve().is_file()
    ]
    assert not missing, f"pages read files that do not exist: {missing}"


def test_every_figure_script_is_shown_on_a_page():
    shown = {
        path.resolve()
        for page in _pages()
        for directive, path in _files_pages_read(page)
        if directive == "plot"
    }
    scripts = {path.resolve() for path in (DOCS / "figures").glob("*.py")}
    assert scripts and scripts <= shown, f"figure scripts no page shows: {scripts - shown}"


@pytest.mark.parametrize(
    "page", ["index.rst", "quickstart.rst", "user_guide/autoencoders.rst"]
)
def test_pages_that_teach_the_basics_have_figures(page):
    assert re.search(r"^\.\. plot:: figures/\w+\.py$", (DOCS / page).read_text(), re.M)


def test_markdown_pages_link_names_with_a_role():
    # In MyST a bare `~skae.X` is literal text, tilde and all (the FAQ showed one):
    # a link needs a role, {class}`~skae.X`.
    bare = {
        str(page.relative_to(ROOT)): found
        for page in _pages()
        if page.suffix == ".md"
        and (found := re.findall(r"(?<![}\w])`~[a-z_]+\.[\w.]+`", page.read_text()))
    }
    assert not bare, f"names shown as literal text, not linked: {bare}"


def test_index_names_every_keras_backend():
    index = (DOCS / "index.rst").read_text()
    assert "(on TensorFlow)" not in index
    assert all(name in index for name in ["TensorFlow", "JAX", "PyTorch"])


def test_benchmarks_page_keeps_repository_paths_in_its_appendix():
    # A reader learns what was measured on which data first; where the scripts and
    # files live is for the appendix. Directive arguments and the benchmark-report
    # comments (whose command shows only when a report is missing) are not prose.
    page = (DOCS / "benchmarks.md").read_text()
    body, appendix = page.split("(benchmarks_appendix)=")
    prose = re.sub(r"```\{[^}]+\}.*?```|<!--.*?-->", "", body, flags=re.S)
    for internal in ["shared/data", "benchmarks/results", "python benchmarks/"]:
        assert internal not in prose, f"{internal!r} before the benchmarks appendix"
    assert "python benchmarks/mnist_comparison.py" in appendix
    assert "shared/data" not in appendix  # commands take the reader's own folder


def _for_readers():
    """docs/_ext/report_paths.for_readers, which the build applies to included reports."""
    spec = importlib.util.spec_from_file_location(
        "report_paths", DOCS / "_ext" / "report_paths.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.for_readers


def test_included_reports_show_the_readers_mnist_folder():
    # The scripts record the project's own MNIST folder in the commands and protocols
    # they write; pages include those reports, which must show the reader's (DIR).
    for_readers = _for_readers()
    reports = {
        path.resolve()
        for page in _pages()
        for _, path in _files_pages_read(page)
        if "results" in path.parts and path.suffix == ".md"
    }
    assert len(reports) > 10, "the pages include no benchmark reports"
    leaks = {
        path.name: re.findall(r"\S*shared/data\S*|/work/\S*", for_readers(path.read_text()))
        for path in reports
    }
    assert not any(leaks.values()), f"reports show the project's paths: {leaks}"
    # The benchmarks page shows scripts' docstrings (their protocols) as they are.
    shown = {
        path.name
        for page in _pages()
        for directive, path in _files_pages_read(page)
        if directive == "literalinclude"
        and path.suffix == ".py"
        and "shared/data" in ast.get_docstring(ast.parse(path.read_text()))
    }
    assert not shown, f"pages show scripts that name the project's data folder: {shown}"
    line = "Made by `x.py --data-dir /srv/shared/data/mnist` (../shared/data/README.md)."
    assert for_readers(line) == "Made by `x.py --data-dir DIR`."
    extension = (DOCS / "_ext" / "skae_docs.py").read_text()
    assert 'app.connect("include-read", _reports_for_readers)' in extension


def _inventory_names(path: Path) -> set[str]:
    """The object names a Sphinx ``objects.inv`` (version 2) links."""
    header, _, body = path.read_bytes().partition(b"zlib.\n")
    assert header.startswith(b"# Sphinx inventory version 2"), path
    return {line.split(" ", 1)[0] for line in zlib.decompress(body).decode().splitlines()}


def _referenced_names(prefix: str) -> set[str]:
    """Names under ``prefix`` that pages, examples and docstrings write as `name`."""
    pattern = re.compile(rf"`~?({prefix}\.[A-Za-z_][\w.]*)`")
    sources = [
        *_pages(),
        *(DOCS / "examples").rglob("*.py"),
        *(ROOT / "skae").rglob("*.py"),
    ]
    return {name for source in sources for name in pattern.findall(source.read_text())}


@pytest.mark.parametrize("project, prefix", [("sklearn", "sklearn"), ("numpy", "numpy")])
def test_intersphinx_inventories_link_every_name_the_docs_reference(project, prefix):
    inventory = DOCS / "inventories" / f"{project}.inv"
    referenced = _referenced_names(prefix)
    assert referenced, f"no {prefix} names found: the pattern is broken"
    unlinked = referenced - _inventory_names(inventory)
    assert not unlinked, f"{inventory.name} does not hold {sorted(unlinked)}"
