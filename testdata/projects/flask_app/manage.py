import argparse
import subprocess


def deploy(args):
    subprocess.run(["deploy"])


def main():
    parser = argparse.ArgumentParser()
    parser.set_defaults(func=deploy)
    parser.parse_args().func()


if __name__ == "__main__":
    main()
