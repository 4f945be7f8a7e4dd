"""Build notebooks/<slug>.ipynb from a percent-format source (.nbsrc/<slug>.py), optionally execute."""
import sys, re, pathlib, nbformat
from nbformat.v4 import new_notebook, new_markdown_cell, new_code_cell
src = pathlib.Path(sys.argv[1]); out = pathlib.Path(sys.argv[2])
text = src.read_text()
cells = []
for block in re.split(r"^# %%", text, flags=re.M)[1:]:
    header, _, body = block.partition("\n")
    body = body.strip("\n")
    if "[markdown]" in header:
        body = "\n".join(l[2:] if l.startswith("# ") else l.lstrip("#") for l in body.splitlines())
        cells.append(new_markdown_cell(body))
    else:
        c = new_code_cell(body)
        m = re.search(r"tags=\[(.*?)\]", header)
        if m:
            c.metadata["tags"] = [t.strip().strip('"\'') for t in m.group(1).split(",")]
        cells.append(c)
nb = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                                         "language_info": {"name": "python"}})
if "--execute" in sys.argv:
    from nbclient import NotebookClient
    import time; t = time.time()
    NotebookClient(nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(out.parent)}}).execute()
    print(f"executed in {time.time()-t:.1f} s")
nbformat.write(nb, out)
