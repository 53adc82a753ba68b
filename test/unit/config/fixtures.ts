// keepalived.conf fragments that use every keyword the model knows (LVS and VRRP sides).
export const FULL_LVS = `virtual_server_group VG {
  10.0.0.1-10 80
  10.0.1.0/29 80
  fwmark 9 inet6
}
virtual_server 192.0.2.1 443 {
  delay_loop 10
  lvs_sched mh
  mh-port
  mh-fallback
  lvs_method DR
  protocol TCP
  persistence_timeout
  persistence_granularity 255.255.255.0
  quorum 3
  hysteresis 1
  quorum_up "/bin/up 1"
  quorum_down /bin/down
  sorry_server 192.0.2.200 8443
  sorry_server_inhibit
  alpha
  omega
  ha_suspend
  inhibit_on_failure
  virtualhost vs.example
  connect_timeout 7
  retry 4
  delay_before_retry 5
  warmup 2
  real_server 192.0.2.11 443 {
    weight 3
    lvs_method TUN
    notify_up /bin/rs-up
    notify_down "/bin/rs-down now" nobody
    uthreshold 100
    lthreshold 10
    virtualhost rs.example
    connect_timeout 8
    SSL_GET {
      url {
        path /a
        digest 0123456789ABCDEF0123456789abcdef
        status_code 200 301-302
        virtualhost url.example
      }
      url {
        path /b
      }
      http_protocol 1.1
      enable_sni
      connect_ip 192.0.2.12
      connect_port 8443
      bindto 192.0.2.2
      bind_port 4000
      bind_if eth0
      fwmark 4
    }
    TCP_CHECK {
      nb_get_retry 9
    }
    MISC_CHECK {
      misc_path "/bin/probe --fast"
      misc_timeout 3
      misc_dynamic
      user nobody
    }
    UDP_CHECK {
      payload 01 02ab
      require_reply 0x
      min_reply_length 1
      max_reply_length 64
    }
    DNS_CHECK {
      type AAAA
      name example.org
    }
    PING_CHECK {
      delay_loop 2
    }
  }
}
virtual_server group VG {
  protocol TCP
  lb_algo rr
  real_server 10.0.2.1 80 {
  }
}
virtual_server fwmark 5 {
  lb_algo sh
  sh-port
  lb_kind DR
  real_server 2001:db8::5 {
    HTTP_GET {
      url {
        path /
      }
    }
  }
}
`;

/** Every VRRP-side keyword: global_defs, vrrp_script, vrrp_track_file, vrrp_instance, vrrp_sync_group. */
export const FULL_VRRP = `global_defs {
  router_id r1
  vrrp_version 3
  enable_script_security
  script_user nobody nogroup
  notify_fifo /run/f.fifo root
  vrrp_garp_master_delay 2
  vrrp_garp_master_repeat 3
  vrrp_garp_interval 0.01
  vrrp_gna_interval 0.02
  vrrp_startup_delay 5.5
  vrrp_notify_priority_changes
  vrrp_lower_prio_no_advert
  vrrp_higher_prio_send_advert off
}
vrrp_script chk {
  script "/bin/check 'a b'"
  interval 3
  weight -20 reverse
  rise 2
  fall 4
  user nobody
  init_fail
}
vrrp_track_file tf {
  file /run/tf
  weight 5
}
vrrp_instance VI_X {
  state BACKUP
  interface eth1
  virtual_router_id 7
  priority 90
  version 3
  advert_int 0.25
  preempt_delay 30
  unicast_src_ip 10.0.0.1
  unicast_peer {
    10.0.0.2 min_ttl 250 max_ttl 255
  }
  virtual_ipaddress {
    10.0.0.100/24 dev eth1 label eth1:v scope link brd 10.0.0.255
    10.0.0.101
  }
  virtual_ipaddress_excluded {
    2001:db8::1/64 no_track
  }
  virtual_routes {
    src 10.0.0.100 to 10.77.0.0/16 via 10.0.0.254 dev eth1 table 100 metric 5 scope universe
    unreachable 10.78.0.0/16 no_track
  }
  virtual_rules {
    from 10.0.0.100/32 to 10.9.0.0/16 table 100 priority 100 iif eth1 oif eth2 tos 8 fwmark 3/7 no_track
    to 10.80.0.0/16 blackhole
  }
  track_interface {
    eth2 weight -10
  }
  track_script {
    chk weight 30
  }
  track_file {
    tf
  }
  garp_master_delay 1
  garp_master_refresh 30
  garp_master_refresh_repeat 2
  garp_lower_prio_repeat 2
  strict_mode off
  higher_prio_send_advert on
  notify /bin/n
  notify_master "/bin/m x" nobody
  notify_backup /bin/b
  notify_fault /bin/f
  notify_stop /bin/s
  notify_deleted "/bin/d x"
  notify_master_rx_lower_pri /bin/lower nobody
  notify_priority_changes
  unicast_fault_no_peer
  no_accept
  dont_track_primary
  down_timer_adverts 4
}
vrrp_sync_group G {
  group {
    VI_X
  }
  notify_master /bin/gm
  track_script {
    chk
  }
}
`;

/** The checker, IPVS-global and sorry-server keywords keepalived 2.2.7 has (plus GRPC_CHECK, sni_name). */
export const FULL_CHECKERS = `global_defs {
  lvs_flush_on_stop
  lvs_timeouts tcp 900 tcpfin 30 udp 60
  lvs_sync_daemon eth1 VI_S id 9 maxlen 1400 port 8849 ttl 2 group 239.1.2.3
}
track_file maint {
  file /run/vk/maint
  weight -10 reverse
}
vrrp_instance VI_S {
  interface eth0
  virtual_router_id 41
  virtual_ipaddress {
    192.0.2.25
  }
  track_file {
    maint weight 2
  }
}
virtual_server 192.0.2.25 25 {
  protocol TCP
  lb_algo sh
  sh-port
  sh-fallback
  lb_kind DR
  sorry_server 192.0.2.99 25
  sorry_server_lvs_method NAT
  real_server 192.0.2.31 25 {
    SMTP_CHECK {
      helo_name lb1.example.org
      connect_timeout 4
      retry 2
    }
    FILE_CHECK {
      track_file maint
      weight 3 reverse
    }
    FILE_CHECK {
      track_file maint
    }
    GRPC_CHECK {
      service "mail.Health"
      tls
      authority grpc.example.org
      connect_port 9090
    }
    SSL_GET {
      enable_sni
      sni_name www.example.org
      url {
        path /health
        status_code 200-299 301
        regex "^ok( |$)"
        regex_no_match
      }
      url {
        path /ready
        regex ready
      }
    }
    DNS_CHECK {
      type DNSKEY
      name example.org
    }
  }
}
`;
