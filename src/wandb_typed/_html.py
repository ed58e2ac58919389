"""The HTML a notebook shows for a run or a project: an ``iframe`` of its app page.

Example:
    >>> iframe_html("https://wandb.ai/team/vision/workspace", height=300, hidden=False, what="project")
    "<iframe src='https://wandb.ai/team/vision/workspace?jupyter=true' style='border:none;width:100%;height:300px;'></iframe>"
"""

from __future__ import annotations

__all__ = ["iframe_html"]


def iframe_html(url: str, *, height: int, hidden: bool, what: str) -> str:
    """An ``iframe`` of ``url`` (``?jupyter=true``), as ``wandb``'s ``to_html`` writes it;
    ``hidden`` hides it behind a button that shows it."""
    style = f"border:none;width:100%;height:{height}px;"
    prefix = ""
    if hidden:
        style += "display:none;"
        prefix = (
            "<button onclick=\"this.nextSibling.style.display='block';this.style.display='none'\""
            f">Display W&B {what}</button>"
        )
    return prefix + f"<iframe src={url + '?jupyter=true'!r} style={style!r}></iframe>"
