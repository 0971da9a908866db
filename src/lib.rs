include!(concat!(env!("OUT_DIR"), "/c2m_auth.rs"));
