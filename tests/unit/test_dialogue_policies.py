"""The dialogue is rules only, and stays consistent with its training data."""

from bot import PROJECT_ROOT
from bot.core.yamlio import load_yaml
from bot.tools import modelfile


def story_files() -> list[str]:
    found = []
    for folder in modelfile.TRAINING_DATA:
        for path in sorted((PROJECT_ROOT / folder).rglob("*.yml")):
            if "stories" in (load_yaml(path) or {}):
                found.append(str(path.relative_to(PROJECT_ROOT)))
    return found


def test_without_stories_no_story_policy_runs_and_with_stories_one_must():
    """A story policy with no stories learns nothing and costs time at every prediction; stories
    with no story policy would be silently ignored."""
    policies = [p["name"] for p in load_yaml(PROJECT_ROOT / "config.yml")["policies"]]
    story_policies = {"MemoizationPolicy", "AugmentedMemoizationPolicy", "TEDPolicy"}
    if story_files():
        assert story_policies & set(policies), story_files()
    else:
        assert policies == ["RulePolicy"]
