"""The catalog: the 45 papers as an index (number, slug, short name, title, arXiv id, theme).

A paper is `ready` when `ftkit/papers/<slug>.py` exists. That module's `PROFILE` holds what the notebook
itself cannot: the gpu overrides, the dry-run overrides, parameter ranges and choices, the claim in one
sentence, and measured times. The smoke defaults live in one place only, the notebook's `parameters`
cell, which `smoke_params` reads the way papermill does (plain `NAME = literal` lines).
"""
from __future__ import annotations

import ast
import functools
import json
import pathlib
from dataclasses import dataclass, field

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SEED_RANGE = (0, 2**31 - 1)
THEMES = ("efficient fine-tuning", "data", "forgetting & robustness", "editing & analysis", "reasoning & tools",
          "preference learning", "vision & multimodal", "recipes & merging")
PROFILES = ("smoke", "gpu", "paper")


@dataclass(frozen=True)
class Profile:
    """Everything about a ready notebook that is not its parameters cell."""
    claim: str                      # the paper's finding, one sentence
    smoke_seconds: float            # measured: benchmarks/notebook_times.py on 2 idle cores
    gpu: dict                       # overrides of the smoke parameters for one real GPU
    gpu_hardware: str
    gpu_seconds: float
    dry_run: dict                   # overrides that run any profile's code path on a CPU in seconds
    ranges: dict = field(default_factory=dict)    # name -> (low, high) for numeric parameters
    choices: dict = field(default_factory=dict)   # name -> allowed values for string parameters
    dry_run_seconds: float | None = None          # measured like smoke_seconds
    paper: dict | None = None                     # overrides of the gpu profile at the paper's scale (ftkit.distributed)
    paper_hardware: str = ""
    paper_seconds: float = 0.0
    paper_launch: dict = field(default_factory=dict)  # processes, fsdp, mixed_precision (ftkit.distributed)


@dataclass(frozen=True)
class Paper:
    n: int
    slug: str
    short: str
    title: str
    arxiv: str
    theme: str

    @property
    def url(self) -> str:
        return f"https://arxiv.org/abs/{self.arxiv}" if self.arxiv else ""

    @property
    def status(self) -> str:
        return "ready" if _module_path(self.slug).exists() else "planned"

    @property
    def notebook(self) -> pathlib.Path:
        return NOTEBOOKS / f"{self.slug}.ipynb"

    @property
    def profile(self) -> Profile:
        return read_profile(self.slug)

    @property
    def profiles(self) -> tuple[str, ...]:
        return ("smoke", "gpu") + (("paper",) if self.profile.paper is not None else ())

    # the profile's fields, for callers that validate parameters
    dry_run = property(lambda self: self.profile.dry_run)
    ranges = property(lambda self: self.profile.ranges)
    choices = property(lambda self: self.profile.choices)

    def params(self, profile: str = "smoke") -> dict:
        """Full parameter set of a profile: the notebook's smoke defaults updated with the profile's overrides."""
        if profile not in self.profiles:
            raise KeyError(f"{self.slug} has no profile {profile!r}; it has {list(self.profiles)}")
        out = smoke_params(self.slug)
        if profile in ("gpu", "paper"):
            out.update(self.profile.gpu)
        if profile == "paper":                           # the gpu profile at the paper's scale: only what changes
            out.update(self.profile.paper or {})
        out["profile"] = profile
        return out


def parameters_cell(path: pathlib.Path) -> dict:
    """The `NAME = literal` assignments of a notebook's cell tagged `parameters`, in order."""
    cells = json.loads(pathlib.Path(path).read_text())["cells"]
    tagged = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(tagged) != 1:
        raise ValueError(f"{path.name}: expected exactly one cell tagged 'parameters', found {len(tagged)}")
    values = {}
    for node in ast.parse("".join(tagged[0]["source"])).body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)):
            raise ValueError(f"{path.name}: the parameters cell may hold only NAME = literal lines: {ast.unparse(node)}")
        values[node.targets[0].id] = ast.literal_eval(node.value)
    return values


def _literal(node):
    """ast.literal_eval, plus `dict(name=literal, ...)`."""
    if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "dict" and not node.args:
        return {kw.arg: _literal(kw.value) for kw in node.keywords}
    return ast.literal_eval(node)


@functools.lru_cache(maxsize=None)
def _profile(slug: str, mtime: float) -> Profile:
    path = _module_path(slug)
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and [t.id for t in node.targets if isinstance(t, ast.Name)] == ["PROFILE"]:
            call = node.value
            if not (isinstance(call, ast.Call) and getattr(call.func, "id", "") == "Profile" and not call.args):
                break
            try:
                return Profile(**{kw.arg: _literal(kw.value) for kw in call.keywords})
            except ValueError:
                break
    raise ValueError(f"{path}: PROFILE must be `PROFILE = Profile(name=literal, ...)` with plain literals")


def _module_path(slug: str) -> pathlib.Path:
    return ROOT / "ftkit" / "papers" / f"{slug}.py"


def read_profile(slug: str) -> Profile:
    """A paper's PROFILE, read from its module's source as plain literals: listing the catalog or checking a
    parameter never imports torch or the paper's code."""
    return _profile(slug, _module_path(slug).stat().st_mtime)


@functools.lru_cache(maxsize=None)
def _smoke(slug: str, mtime: float) -> dict:
    return parameters_cell(NOTEBOOKS / f"{slug}.ipynb")


def smoke_params(slug: str) -> dict:
    """The smoke defaults of a ready notebook: its parameters cell (a fresh copy)."""
    path = NOTEBOOKS / f"{slug}.ipynb"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: a ready paper needs its notebook")
    return dict(_smoke(slug, path.stat().st_mtime))


PAPERS = [
    Paper(1, "logicllama", 'LogicLLaMA', 'Harnessing the Power of Large Language Models for Natural Language to First-Order Logic Translation',
          "2305.15541", "reasoning & tools"),
    Paper(2, "masked_thought", 'Masked Thought (MFT)', 'Masked Thought: Simply Masking Partial Reasoning Steps Can Improve Mathematical Reasoning Learning of Language Models',
          "2403.02178", "reasoning & tools"),
    Paper(3, "points", 'POINTS', 'POINTS: Improving Your Vision-language Model with Affordable Strategies',
          "2409.04828", "vision & multimodal"),
    Paper(4, "levi", 'LEVI', 'LEVI: Generalizable Fine-tuning via Layer-wise Ensemble of Different Views',
          "2402.04644", "forgetting & robustness"),
    Paper(5, "conjugate_prompting", 'Conjugate Prompting', 'Understanding Catastrophic Forgetting in Language Models via Implicit Inference',
          "2309.10105", "forgetting & robustness"),
    Paper(6, "lottery_ticket_sparse_ft", 'LT-SFT', 'Composable Sparse Fine-Tuning for Cross-Lingual Transfer',
          "2110.07560", "efficient fine-tuning"),
    Paper(7, "clear_data_curation", 'CLEAR', 'Automated Data Curation for Robust Language Model Fine-Tuning',
          "2403.12776", "data"),
    Paper(8, "locft_bf", 'LocFT-BF', 'Fine-tuning Done Right in Model Editing',
          "2509.22072", "editing & analysis"),
    Paper(9, "cge_novelty", 'CGE', "What's New in My Data? Novelty Exploration via Contrastive Generation",
          "2410.14765", "data"),
    Paper(10, "augmentation_for_pet", 'DA-for-PET', 'Effectiveness of Data Augmentation for Parameter Efficient Tuning with Limited Data',
          "2303.02577", "efficient fine-tuning"),
    Paper(11, "got_d", 'GOT-D', 'Get more for less: Principled Data Selection for Warming Up Fine-Tuning in LLMs',
          "2405.02774", "data"),
    Paper(12, "roste", 'RoSTE', 'RoSTE: An Efficient Quantization-Aware Supervised Fine-Tuning Approach for Large Language Models',
          "2502.09003", "efficient fine-tuning"),
    Paper(13, "tuco", 'TuCo', 'TuCo: Measuring the Contribution of Fine-Tuning to Individual Responses of LLMs',
          "2506.23423", "editing & analysis"),
    Paper(14, "dr_tune", 'DR-Tune', 'DR-Tune: Improving Fine-tuning of Pretrained Visual Models by Distribution Regularization with Semantic Calibration',
          "2308.12058", "vision & multimodal"),
    Paper(15, "searchinstruct", 'SearchInstruct', 'SearchInstruct: Enhancing Domain Adaptation via Retrieval-Based Instruction Dataset Creation',
          "2509.10708", "data"),
    Paper(16, "entity_tracking_finetuning", 'Fine-tuning enhances existing mechanisms', 'Fine-Tuning Enhances Existing Mechanisms: A Case Study on Entity Tracking',
          "2402.14811", "editing & analysis"),
    Paper(17, "half_fine_tuning", 'HFT', 'HFT: Half Fine-Tuning for Large Language Models',
          "2404.18466", "forgetting & robustness"),
    Paper(18, "tl_training", 'TL-Training', 'TL-Training: A Task-Feature-Based Framework for Training Large Language Models in Tool Use',
          "2412.15495", "reasoning & tools"),
    Paper(19, "lofit", 'LoFiT', 'LoFiT: Localized Fine-tuning on LLM Representations',
          "2406.01563", "efficient fine-tuning"),
    Paper(20, "glue_bag_of_tricks", 'Vega v1 bag of tricks', 'Bag of Tricks for Effective Language Model Pretraining and Downstream Adaptation: A Case Study on GLUE',
          "2302.09268", "recipes & merging"),
    Paper(21, "core_tuning", 'Core-tuning', 'Unleashing the Power of Contrastive Self-Supervised Visual Models via Contrast-Regularized Fine-Tuning',
          "2102.06605", "vision & multimodal"),
    Paper(22, "model_soups", 'Model soups', 'Model soups: averaging weights of multiple fine-tuned models improves accuracy without increasing inference time',
          "2203.05482", "recipes & merging"),
    Paper(23, "look_supervised_pretrain", 'LOOK', 'Rethinking Supervised Pre-training for Better Downstream Transferring',
          "2110.06014", "vision & multimodal"),
    Paper(24, "s3ft_selective_self_sft", 'S3FT', 'Selective Self-to-Supervised Fine-Tuning for Generalization in Large Language Models',
          "2502.08130", "forgetting & robustness"),
    Paper(25, "itool_mcts_pref", 'iTool', 'Boosting Tool Use of Large Language Models via Iterative Reinforced Fine-Tuning',
          "2501.09766", "reasoning & tools"),
    Paper(26, "deconfoundlm_causal", 'DeconfoundLM', 'Aligning Language Models with Observational Data: Opportunities and Risks from a Causal Perspective',
          "2506.00152", "preference learning"),
    Paper(27, "uds_batch_selection", 'UDS', 'Utility-Diversity Aware Online Batch Selection for LLM Supervised Fine-tuning',
          "2510.16882", "data"),
    Paper(28, "anytasktune", 'AnyTaskTune', 'AnyTaskTune: Advanced Domain-Specific Solutions through Task-Fine-Tuning',
          "2407.07094", "recipes & merging"),
    Paper(29, "onpolicy_pref", 'On-policy + negative gradient', 'Preference Fine-Tuning of LLMs Should Leverage Suboptimal, On-Policy Data',
          "2404.14367", "preference learning"),
    Paper(30, "dsee", 'DSEE', 'DSEE: Dually Sparsity-embedded Efficient Tuning of Pre-trained Language Models',
          "2111.00160", "efficient fine-tuning"),
    Paper(31, "finetune_pipeline_survey", 'Fine-tuning pipeline walkthrough', 'The Ultimate Guide to Fine-Tuning LLMs from Basics to Breakthroughs: An Exhaustive Review of Technologies, Research, Best Practices, Applied Research Challenges and Opportunities',
          "2408.13296", "recipes & merging"),
    Paper(32, "instruction_robustness", 'Instruction-phrasing robustness', 'Evaluating the Zero-shot Robustness of Instruction-tuned Language Models',
          "2306.11270", "forgetting & robustness"),
    Paper(33, "pseudo_label_pretrain", 'Pseudo-label pre-training', 'Predictions For Pre-training Language Models',
          "2011.09031", "data"),
    Paper(34, "vision_perturbations", 'Vision Matters', 'Vision Matters: Simple Visual Perturbations Can Boost Multimodal Math Reasoning',
          "", "vision & multimodal"),
    Paper(35, "aside_pathway_retrieval", 'IAA (Scattered or Connected?)', 'Scattered or Connected? An Optimized Parameter-efficient Tuning Approach for Information Retrieval',
          "2208.09847", "efficient fine-tuning"),
    Paper(36, "skill_grafting", 'Grafting', 'Task-Specific Skill Localization in Fine-tuned Language Models',
          "2302.06600", "efficient fine-tuning"),
    Paper(37, "sara", 'SaRA', 'SaRA: High-Efficient Diffusion Model Fine-tuning with Progressive Sparse Low-Rank Adaptation',
          "2409.06633", "vision & multimodal"),
    Paper(38, "modality_interference", 'Modality Interference', 'Diagnosing and Mitigating Modality Interference in Multimodal Large Language Models',
          "2505.19616", "vision & multimodal"),
    Paper(39, "cot_noise_tint", 'TInt CoT noise', 'Understanding the Effect of Noise in LLM Training Data with Algorithmic Chains of Thought',
          "2402.04004", "reasoning & tools"),
    Paper(40, "unified_peft", 'Unified PETL / MAM Adapter', 'Towards a Unified View of Parameter-Efficient Transfer Learning',
          "2110.04366", "efficient fine-tuning"),
    Paper(41, "personalized_code", 'Personalized code models', 'Exploring and Evaluating Personalized Models for Code Generation',
          "2208.13928", "recipes & merging"),
    Paper(42, "biomed_ft_stability", 'Biomedical FT stability', 'Fine-Tuning Large Neural Language Models for Biomedical Natural Language Processing',
          "2112.07869", "forgetting & robustness"),
    Paper(43, "mend", 'MEND', 'Fast Model Editing at Scale',
          "2110.11309", "editing & analysis"),
    Paper(44, "lora_vs_full_ft", 'Intruder dimensions', 'LoRA vs Full Fine-tuning: An Illusion of Equivalence',
          "2410.21228", "efficient fine-tuning"),
    Paper(45, "quick_learners", 'Quick learners', 'Instruction Tuned Models are Quick Learners',
          "2306.05539", "data"),
]

BY_SLUG = {p.slug: p for p in PAPERS}
assert all(p.theme in THEMES for p in PAPERS)


def get(slug: str) -> Paper:
    if slug not in BY_SLUG:
        import difflib
        near = difflib.get_close_matches(slug, BY_SLUG, n=3)
        hint = f"; did you mean {', '.join(near)}?" if near else "; `ftkit list` shows them all"
        raise KeyError(f"unknown notebook {slug!r}{hint}")
    return BY_SLUG[slug]


def ready() -> list[Paper]:
    return [p for p in PAPERS if p.status == "ready"]
