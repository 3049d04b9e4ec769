"""The rule catalog. Each module holds one rule; its page is in the top-level rules/ folder."""
from __future__ import annotations

from . import (
    cnn000_parse_error,
    cnn101_missing_preprocess_input,
    cnn102_preprocess_family_mismatch,
    cnn103_double_normalization,
    cnn104_scale_range_mismatch,
    cnn201_missing_resize,
    cnn202_input_size_mismatch,
    cnn203_missing_batch_axis,
    cnn105_uint8_arithmetic,
    cnn204_channel_count_mismatch,
    cnn301_bgr_input,
    cnn401_repeated_input,
    cnn402_unbatched_dataset,
    cnn403_train_infer_mismatch,
    cnn404_shuffled_eval_order,
    cnn501_single_unit_softmax,
    cnn502_decode_predictions_custom_head,
    cnn503_frozen_base_training_mode,
)
from .base import Rule

ALL_RULES: tuple[Rule, ...] = tuple(
    sorted(
        (m.RULE for m in (
            cnn000_parse_error,
            cnn101_missing_preprocess_input,
            cnn102_preprocess_family_mismatch,
            cnn103_double_normalization,
            cnn104_scale_range_mismatch,
            cnn201_missing_resize,
            cnn202_input_size_mismatch,
            cnn203_missing_batch_axis,
            cnn105_uint8_arithmetic,
            cnn204_channel_count_mismatch,
            cnn301_bgr_input,
            cnn401_repeated_input,
            cnn402_unbatched_dataset,
            cnn403_train_infer_mismatch,
            cnn404_shuffled_eval_order,
            cnn501_single_unit_softmax,
            cnn502_decode_predictions_custom_head,
            cnn503_frozen_base_training_mode,
        )),
        key=lambda r: r.code,
    )
)
BY_CODE = {r.code: r for r in ALL_RULES}


def matches(code: str, patterns: tuple[str, ...]) -> bool:
    """``CNN1`` selects CNN101..CNN105; ``ALL`` selects everything."""
    return any(p == "ALL" or code.startswith(p) for p in patterns)


def choose(select: tuple[str, ...] = (), ignore: tuple[str, ...] = ()) -> tuple[Rule, ...]:
    return tuple(r for r in ALL_RULES if (not select or matches(r.code, select)) and not matches(r.code, ignore))
