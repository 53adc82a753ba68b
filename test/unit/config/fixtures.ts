// A keepalived.conf fragment that uses every LVS keyword the model knows.
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
