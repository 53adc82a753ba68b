// keepalived 2.2 keywords vipkeeper recognises but does not implement (yet), each with what that
// means for the operator: using one is a warning (an error under --strict) that says what will not
// happen, not an "unknown keyword". Gathered from keepalived.conf(5); docs/config.md lists them.

const GROUPS: Array<[consequence: string, keywords: string]> = [
  ['no mail is sent; use a notify script', `notification_email notification_email_from smtp_server smtp_helo_name
    smtp_connect_timeout smtp_alert smtp_alert_vrrp smtp_alert_checker no_email_faults no_checker_emails`],
  ['there is no SNMP agent and no traps; watch the logs or the notify FIFO', `enable_snmp_vrrp enable_snmp_checker
    enable_snmp_rfc enable_snmp_rfcv2 enable_snmp_rfcv3 enable_traps snmp_socket snmp_name enable_snmp_keepalived`],
  ['there is no D-Bus interface', 'enable_dbus dbus_service_name'],
  ['vipkeeper runs in the network namespace it is started in; start it with `ip netns exec NS`',
    'net_namespace net_namespace_ipvs namespace_with_ipsets'],
  ['no BFD session is run; track the peer with a vrrp_script', 'bfd_instance track_bfd BFD_CHECK bfd_priority bfd_no_swap bfd_rt_priority bfd_rlimit_rttime bfd_cpu_affinity bfd_process_name'],
  ['no ipvlan interface and no VMAC for addresses on other interfaces is created; `use_vmac` names its VMAC itself (default vrrp.VRID)',
    'use_vmac_addr use_ipvlan vmac_prefix vmac_addr_prefix'],
  ['these addresses, routes or rules are not installed; configure them with the system\'s network configuration',
    'static_ipaddress static_routes static_rules'],
  ['no_accept is enforced with nftables only, always as table inet vipkeeper at priority -1 with counters; this setting is not applied',
    'vrrp_iptables vrrp_ipsets nftables nftables_priority nftables_ifindex nftables_counters'],
  ['no nftables rules are made for IPVS', 'nftables_ipvs nftables_ipvs_priority nftables_ipvs_start_fwmark'],
  ['this notify script is never run', 'notify_fifo_script vrrp_notify_fifo_script lvs_notify_fifo_script'],
  ['no extra gratuitous ARPs are sent on other interfaces', 'garp_extra_if vrrp_garp_extra_if vrrp_min_garp garp_group'],
  ['adverts follow the RFC: this variation is not applied', `old_unicast_checksum track_src_ip
    vrrp_skip_check_adv_addr_all unicast_ttl mcast_dst_ip native_ipv6 skip_check_adv_addr`],
  ['the track file is not created or written at start', 'init_file'],
  ['the regex is matched by JavaScript over the whole body, without these limits', 'regex_options regex_stack regex_min_offset regex_max_offset'],
  ['no persistence engine (SIP) is set on the service', 'persistence_engine'],
  ['the process tuning is not applied (vipkeeper is one process; see `vipkeeper run --rt-priority`)', `vrrp_priority checker_priority
    vrrp_no_swap checker_no_swap vrrp_rt_priority checker_rt_priority vrrp_rlimit_rttime checker_rlimit_rttime vrrp_cpu_affinity
    checker_cpu_affinity vrrp_process_name checker_process_name process_names process_name umask random_seed child_wait_time
    vrrp_netlink_cmd_rcv_bufs vrrp_netlink_cmd_rcv_bufs_force vrrp_netlink_monitor_rcv_bufs vrrp_netlink_monitor_rcv_bufs_force
    lvs_netlink_cmd_rcv_bufs lvs_netlink_cmd_rcv_bufs_force lvs_netlink_monitor_rcv_bufs lvs_netlink_monitor_rcv_bufs_force
    process_monitor_rcv_bufs process_monitor_rcv_bufs_force vrrp_rx_bufs_policy vrrp_rx_bufs_multiplier kernel_rx_buf_size
    use_pid_dir linkbeat_use_polling linkbeat_interfaces dynamic_interfaces disable_local_igmp use_symlink_paths`],
  ['reload and start-up behave as vipkeeper\'s (SIGHUP reloads; a bad file keeps the running configuration)', `reload_check_config
    reload_time_file reload_repeat reload_file config_save_dir tmp_config_directory startup_script shutdown_script
    fifo_write_vrrp_states_on_reload script_max_runtime`],
  ['ignored', `lvs_id instance log_unknown_vrids max_auto_priority min_auto_priority_delay rs_init_notifies checker_log_all_failures
    log_all_failures vrrp_down_timer_adverts debug promote_secondaries global_tracking sync_group_tracking_weight track_group
    fast_recovery quorum_max ip_proto SSL`],
];

/** keyword -> what not implementing it means. */
export const UNIMPLEMENTED: ReadonlyMap<string, string> = new Map(
  GROUPS.flatMap(([consequence, words]) => words.split(/\s+/).filter(Boolean).map((w): [string, string] => [w, consequence])),
);

/** The same keywords as a set (other modules ask "is this known?"). */
export const KNOWN_UNIMPLEMENTED: ReadonlySet<string> = new Set(UNIMPLEMENTED.keys());

/** Groups for docs/config.md's migration notes (a test keeps the two in step). */
export const UNIMPLEMENTED_GROUPS: ReadonlyArray<readonly [string, readonly string[]]> =
  GROUPS.map(([c, w]) => [c, w.split(/\s+/).filter(Boolean)] as const);
