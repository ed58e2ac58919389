"""Set up a team for a project: create it, invite people, add a CI service account, create
the project and upload a file to a run, then list what the team has.

Usage: ``python team_setup.py TEAM PROJECT EMAIL...`` (needs an instance admin's key for
``create_user``; any user may create a team).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from wandb_typed import Api, Member, Project, Team


def set_up_team(api: Api, team_name: str, project_name: str, emails: list[str]) -> list[str]:
    """Create the team, its members, a service account and a project; return a report."""
    team: Team = api.create_team(team_name)
    for email in emails:
        team.invite(email)
    robot: Member = team.create_service_account("CI uploads")
    project: Project = api.create_project(project_name, team.name)
    run = api.create_run(run_id="setup-check", project=project.name, entity=team.name)
    with tempfile.TemporaryDirectory() as folder:
        readme = Path(folder) / "README.txt"
        readme.write_text(f"{team.name}/{project.name} is ready\n")
        uploaded = run.upload_file(readme, root=folder)
    lines = [f"team {team.name}: {len(api.team(team.name).members)} members and invites"]
    lines.append(f"service account {robot.username} (key shown once: store it now)")
    lines.append(f"project {project.path}: {[p.name for p in api.projects(team.name)]}")
    lines.append(f"uploaded {uploaded.name} ({uploaded.size} bytes, md5 {uploaded.md5})")
    return lines


if __name__ == "__main__":
    with Api() as api:
        print("\n".join(set_up_team(api, sys.argv[1], sys.argv[2], sys.argv[3:])))
