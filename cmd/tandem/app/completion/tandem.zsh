#compdef tandem
# tandem completion for zsh: source <(tandem completion zsh)
_tandem() {
  local -a words_next
  local cur=${words[CURRENT]}
  words_next=("${(@f)$(TANDEM_COMPLETE_WORD="$cur" ${words[@]:0:CURRENT-1} --generate-bash-completion 2>/dev/null)}")
  if [[ -n "${words_next[1]}" ]]; then
    compadd -S '' -- "${(M)words_next[@]:#*=}"
    compadd -- "${words_next[@]:#*=}"
  else
    _files
  fi
}
compdef _tandem tandem
