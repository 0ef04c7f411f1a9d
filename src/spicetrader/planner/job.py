"""The job every option is priced for, and how long it takes on one configuration."""

from __future__ import annotations

from spicetrader.errors import InputError
from spicetrader.planner.constraints import PlanConstraints
from spicetrader.planner.models import Job, JobKind
from spicetrader.spec.estimate import Estimate
from spicetrader.spec.workload import Task, Workload
from spicetrader.units import HOURS_PER_MONTH, SECONDS_PER_HOUR

__all__ = [
    "DEFAULT_IMAGES",
    "DEFAULT_MONTHS",
    "DEFAULT_USAGE_HOURS_PER_MONTH",
    "billed_hours",
    "horizon_months",
    "job_for",
    "job_hours",
    "request_seconds",
]

# Stated defaults (they appear in every plan's job description and assumptions).
DEFAULT_USAGE_HOURS_PER_MONTH = 160.0  # a working month: 8 h x 20 days
DEFAULT_MONTHS = 12.0  # the planning horizon: one year
DEFAULT_IMAGES = 1000  # image generation with no count given


def job_for(workload: Workload, constraints: PlanConstraints) -> Job:
    """Decide the job from the workload's task and the constraints (defaults stated)."""
    months = constraints.months or DEFAULT_MONTHS
    usage = constraints.usage_hours_per_month or DEFAULT_USAGE_HOURS_PER_MONTH
    if constraints.tokens is not None and workload.task is not Task.INFERENCE:
        raise InputError(
            f"a token volume (--tokens) for the plan applies to inference; for {workload.task} "
            "give the tokens in the workload (finetune.tokens / pretrain.tokens)"
        )
    if constraints.images is not None and workload.task is not Task.IMAGE:
        raise InputError(f"--images applies to task image, not {workload.task}")
    if workload.task is Task.INFERENCE:
        if constraints.tokens is not None:
            text = f"generate {constraints.tokens:,.0f} output tokens"
            return Job(
                kind=JobKind.TOKENS,
                months=months,
                usage_hours_per_month=usage,
                tokens=constraints.tokens,
                description=text,
            )
        text = f"serve {usage:g} h/month for {months:g} months"
        return Job(
            kind=JobKind.SERVING, months=months, usage_hours_per_month=usage, description=text
        )
    if workload.task is Task.IMAGE:
        images = constraints.images or (workload.image.images if workload.image else None)
        count = images or DEFAULT_IMAGES
        return Job(
            kind=JobKind.IMAGES,
            months=months,
            usage_hours_per_month=usage,
            images=count,
            description=f"generate {count:,} images",
        )
    tokens: float | None = None
    if workload.finetune is not None:
        tokens = workload.finetune.total_tokens()
    elif workload.pretrain is not None:
        tokens = workload.pretrain.tokens
    on = f"on {tokens:.3g} tokens" if tokens is not None else "(the cost model's default tokens)"
    return Job(
        kind=JobKind.TRAINING,
        months=months,
        usage_hours_per_month=usage,
        description=f"{workload.task} {workload.model_name} {on}",
    )


def job_hours(job: Job, estimate: Estimate) -> float | None:
    """Wall-clock hours the job takes on the estimated configuration (serving: hours a month).

    ``None`` when the estimate gives no speed (it does not fit).
    """
    if not estimate.fits:
        return None
    if job.kind is JobKind.SERVING:
        return job.usage_hours_per_month
    if job.kind is JobKind.TOKENS:
        speed = estimate.inference
        rate = speed.throughput_tokens_per_s if speed else None
        if not rate or job.tokens is None:
            return None
        return job.tokens / rate / SECONDS_PER_HOUR
    if job.kind is JobKind.IMAGES:
        image = estimate.image
        if image is None or not image.images_per_s or job.images is None:
            return None
        return job.images / image.images_per_s / SECONDS_PER_HOUR
    training = estimate.training
    return training.total_hours if training else None


def billed_hours(job: Job, hours: float) -> float:
    """Hours of use over the whole job: serving runs ``hours`` a month for ``months``."""
    return hours * job.months if job.kind is JobKind.SERVING else hours


def horizon_months(job: Job, hours: float) -> float:
    """Months an owned machine is held for the job: the horizon, or longer if the job runs
    longer than the horizon (running around the clock, 730 h a month)."""
    if job.kind is JobKind.SERVING:
        return job.months
    return max(job.months, hours / HOURS_PER_MONTH)


def request_seconds(job: Job, estimate: Estimate) -> float | None:
    """Serving: seconds one request takes (time to first token + output tokens at the decode
    speed one user sees); ``None`` for other jobs or without speeds."""
    speed = estimate.inference
    if job.kind is not JobKind.SERVING or speed is None or not estimate.fits:
        return None
    if speed.decode_tokens_per_s is None or speed.decode_tokens_per_s <= 0:
        return None
    inference = estimate.workload.inference
    output = inference.output_tokens if inference is not None else 0
    return (speed.ttft_s or 0.0) + output / speed.decode_tokens_per_s
