"""Verifiers: programs that score a model's output (rewards for RL, metrics for evaluation).

    fol.logical_equivalence(gold, pred)     # LogicLLaMA's LE score: truth-table agreement under the best renaming
    tools.irm_reward(call, gold, toolset)   # TL-Training's graded tool-call reward, with its error category
    arith.check_chain(text, answer)         # every "a op b = c" step right, and the final answer right
"""
from . import arith, fol, tools

__all__ = ["arith", "fol", "tools"]
