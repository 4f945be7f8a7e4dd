"""Beyond one process: data-parallel (DDP) or sharded (FSDP) training, handed to accelerate.

`train.fit` is one loop for every case. In a single process it is a plain PyTorch loop. Started
several times -- by `accelerate launch`, `torchrun`, or `launch()` below from a notebook cell -- it
builds an `accelerate.Accelerator` that wraps the model in DDP (or FSDP, when the launch asks for
it), and every process trains on its own slice of each global batch:

    one GPU        ftkit run SLUG -p profile gpu
    several GPUs   a notebook cell calls launch(train_fn, num_processes=8, fsdp=True), or
                   accelerate launch --num_processes 8 script.py
    several nodes  accelerate launch --num_machines 2 --machine_rank R --main_process_ip HOST ... script.py

On a CPU the same path runs with the gloo backend, which is how the tests check it: two processes
with the same global batch give the losses and weights of one process, up to float rounding.
"""
from __future__ import annotations

import os
import torch

FSDP_DEFAULTS = {  # accelerate's environment names for its FSDP plugin (what `accelerate config` writes)
    "FSDP_SHARDING_STRATEGY": "FULL_SHARD",
    "FSDP_AUTO_WRAP_POLICY": "TRANSFORMER_BASED_WRAP",
    "FSDP_STATE_DICT_TYPE": "SHARDED_STATE_DICT",
    "FSDP_USE_ORIG_PARAMS": "true",          # lets LoRA / partial fine-tuning keep frozen tensors in the shards
    "FSDP_CPU_RAM_EFFICIENT_LOADING": "true",
    "FSDP_SYNC_MODULE_STATES": "true",
}


def world_size() -> int:
    """Processes in this job (1 unless started by a distributed launcher)."""
    return int(os.environ.get("WORLD_SIZE", "1"))


def rank() -> int:
    return int(os.environ.get("RANK", "0"))


def is_distributed() -> bool:
    return world_size() > 1


def accelerator(mixed_precision: str = "no"):
    """The Accelerator of a multi-process job (DDP, or FSDP when ACCELERATE_USE_FSDP is set by the launch)."""
    from accelerate import Accelerator
    return Accelerator(mixed_precision=mixed_precision, cpu=not torch.cuda.is_available())


def shard(batch: dict, index: int, parts: int) -> dict:
    """The `index`-th of `parts` equal contiguous slices of a batch (dim 0): one process's share, or one
    micro-batch of a gradient-accumulation step. Equal slices keep the mean loss equal to the full batch's."""
    n = next(v for v in batch.values() if torch.is_tensor(v)).shape[0]
    if n % parts:
        raise ValueError(f"a batch of {n} does not split into {parts} equal parts "
                         "(processes x gradient-accumulation steps); choose a batch size divisible by it")
    k = n // parts
    return {key: v[index * k:(index + 1) * k] if torch.is_tensor(v) else v for key, v in batch.items()}


def launch(fn, *args, num_processes: int = 2, fsdp: bool | dict = False, mixed_precision: str = "no") -> None:
    """Run `fn(*args)` in `num_processes` processes from a notebook (accelerate's notebook_launcher).

    fsdp: True for the defaults above, or a dict of FSDP_* settings to change. Inside `fn`, `train.fit` finds
    the job and shards data and model; results must be written to disk by the main process (rank() == 0).
    The model must be built inside `fn`: the launcher forks, and a CUDA context made before it breaks the fork.
    """
    from accelerate import notebook_launcher
    from accelerate.utils import patch_environment
    env = {"ACCELERATE_MIXED_PRECISION": mixed_precision}
    if fsdp:
        env.update({"ACCELERATE_USE_FSDP": "true", **FSDP_DEFAULTS, **(fsdp if isinstance(fsdp, dict) else {})})
    with patch_environment(**env):
        notebook_launcher(fn, args, num_processes=num_processes, mixed_precision=mixed_precision)


# ------------------------------------------------------------------------------------------
# A whole notebook on several processes: `ftkit run SLUG --profile paper`.
# Every process runs the notebook's code top to bottom (as torchrun runs a script); `fit` shards each
# batch across them, evaluation is repeated on each, and only rank 0 prints and writes results.
# ------------------------------------------------------------------------------------------
PRELUDE = '''\
import os, sys
if int(os.environ.get("RANK", "0")) > 0:             # one process speaks and writes
    sys.stdout = open(os.devnull, "w")
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from IPython.display import display
import torch
if torch.cuda.is_available():                          # "cuda" means this process's GPU
    torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
_figures = [0]
def _save_figure(*args, **kwargs):                     # plt.show() in a notebook; a PNG in the run folder here
    if int(os.environ.get("RANK", "0")) == 0:
        _figures[0] += 1
        plt.gcf().savefig(os.path.join(os.environ["FTKIT_OUT"], f"figure-{_figures[0]}.png"), dpi=100)
    plt.close("all")
plt.show = _save_figure
'''


def notebook_script(notebook, parameters: dict) -> str:
    """The notebook's code cells as one script, with `parameters` injected after its parameters cell the way
    papermill injects them (so the notebook tells the user's values from the profile's defaults as usual)."""
    import json
    import pathlib
    injected = "# Parameters\n" + "".join(f"{k} = {v!r}\n" for k, v in parameters.items())
    parts = [PRELUDE, f"In = [{injected!r}]   # what the notebook reads to learn which values were given\n"]
    for cell in json.loads(pathlib.Path(notebook).read_text())["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        parts.append("\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))))
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            parts.append(injected)
    return "\n\n".join(parts) + "\n"


def run_notebook_processes(notebook, parameters: dict, out, processes: int, fsdp: bool | dict = False,
                           mixed_precision: str = "bf16", cwd=None) -> int:
    """Write OUT/<name>.py from the notebook and run it in `processes` processes with torchrun (gloo on CPUs,
    NCCL on GPUs; FSDP needs GPUs, so on a CPU the launch falls back to DDP and says so). Returns the exit code."""
    import pathlib
    import subprocess
    import sys
    notebook, out = pathlib.Path(notebook), pathlib.Path(out)
    script = out / f"{notebook.stem}.py"
    script.write_text(notebook_script(notebook, parameters))
    env = {**os.environ, "FTKIT_OUT": str(out.resolve()), "ACCELERATE_MIXED_PRECISION": mixed_precision}
    if not torch.cuda.is_available():
        env["ACCELERATE_MIXED_PRECISION"] = "no"
        if fsdp:
            print("no GPU: FSDP needs one, so this run shards the data (DDP over gloo) but not the model")
        fsdp = False
    if fsdp:
        env.update({"ACCELERATE_USE_FSDP": "true", **FSDP_DEFAULTS, **(fsdp if isinstance(fsdp, dict) else {})})
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", str(processes), str(script)]
    print("launching:", " ".join(cmd[2:]))
    return subprocess.run(cmd, env=env, cwd=cwd).returncode
