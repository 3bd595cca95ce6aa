# tandem completion for bash: source <(tandem completion bash)
_tandem_complete() {
  local cur words
  COMPREPLY=()
  cur="${COMP_WORDS[COMP_CWORD]}"
  words=$(TANDEM_COMPLETE_WORD="$cur" "${COMP_WORDS[@]:0:$COMP_CWORD}" --generate-bash-completion 2>/dev/null)
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
  # SERVICE= wants its image right after the '='.
  if [[ ${#COMPREPLY[@]} -eq 1 && "${COMPREPLY[0]}" == *= ]]; then
    compopt -o nospace
  fi
}
complete -o default -F _tandem_complete tandem
