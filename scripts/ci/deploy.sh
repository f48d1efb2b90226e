#!/usr/bin/env bash
# ci:deploy — bring the lab up healthy, by docker compose (`smartshop stack up`) or by the
# Ansible playbook against this machine (DEPLOY_METHOD=ansible).
export CI_STAGE=deploy; source "$(dirname "$0")/lib.sh"
export ANSIBLE_CONFIG="$ROOT/ansible/ansible.cfg"
# a lab start: beside the Swarm stack's start in .ci/run, never beside one of its drills (lib.sh)
lab_lock --shared
case "${DEPLOY_METHOD:-compose}" in
  compose) "${SMARTSHOP[@]}" stack up --no-build ;;
  ansible) ansible-playbook -i ansible/inventory/localhost.ini ansible/playbooks/deploy.yml ;;
  *) echo "DEPLOY_METHOD must be compose or ansible, not ${DEPLOY_METHOD}" >&2; exit 2 ;;
esac
