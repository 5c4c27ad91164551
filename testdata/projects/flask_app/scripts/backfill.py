import subprocess


def backfill():
    subprocess.run(["backfill"])


if __name__ == "__main__":
    backfill()
