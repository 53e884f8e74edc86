#compdef complaintctl

_complaintctl_completion() {
  eval $(env _TYPER_COMPLETE_ARGS="${words[1,$CURRENT]}" _COMPLAINTCTL_COMPLETE=complete_zsh complaintctl)
}

compdef _complaintctl_completion complaintctl
