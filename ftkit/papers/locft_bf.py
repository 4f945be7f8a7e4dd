"""LocFT-BF: Fine-tuning Done Right in Model Editing (arXiv 2509.22072).

The notebook's profiles (the smoke defaults are its parameters cell) and the code only this paper uses:
picking one point of a (learning rate x epochs) grid at matched reliability.
"""
from ftkit.catalog import Profile

PROFILE = Profile(
    claim='Breadth-first, mini-batch fine-tuning beats depth-first editing, and at matched reliability one well-placed matrix keeps more locality than tuning all parameters.',
    smoke_seconds=43,
    dry_run_seconds=16,
    gpu=dict(
        model_id='Qwen/Qwen2.5-1.5B-Instruct',
        edits_source='azhx/counterfact',
        n_edits=1000,
        n_locality=1000,
        lr_grid=[0.0002, 0.0005, 0.001],
        lr_all_grid=[3e-06, 1e-05, 3e-05],
        epoch_grid=[10, 25],
        batch_size=32,
        sweep_layers=[4, 6, 12, 20],
    ),
    gpu_hardware='1 GPU, 24 GB',
    gpu_seconds=3600,
    dry_run=dict(
        model_id='ftkit/tiny-llama-facts',
        edits_source='fact-world',
        n_edits=8,
        n_locality=20,
        lr_grid=[0.001],
        lr_all_grid=[0.0001],
        epoch_grid=[1],
        df_max_steps=1,
        sweep_layers=[1],
    ),
    ranges=dict(
        n_edits=(1, 1000000),
        n_locality=(2, 1000000),
        batch_size=(1, 4096),
        loss_stop=(0, 10),
        rel_floor=(0, 100),
        df_max_steps=(1, 10000),
    ),
    choices=dict(
        module=['mlp.down_proj', 'mlp.up_proj', 'mlp.gate_proj', 'self_attn.q_proj', 'self_attn.k_proj', 'self_attn.v_proj', 'self_attn.o_proj'],
    ),
)


def pick_at_floor(points: list[dict], floor: float, rel: str = "reliability %", score: str = "locality val %") -> dict:
    """The grid point an arm is reported at: among points whose reliability reaches `floor`, the one with the
    highest validation locality (ties: the higher reliability, then the earlier point). If no point reaches
    the floor, the most reliable one (ties: higher validation locality), so the caller can see the floor was missed.
    """
    if not points:
        raise ValueError("no grid points to pick from")
    ok = [p for p in points if p[rel] >= floor]
    if ok:
        return max(ok, key=lambda p: (p[score], p[rel]))
    return max(points, key=lambda p: (p[rel], p[score]))
